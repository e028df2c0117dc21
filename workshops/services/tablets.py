"""Table tablets: paired to a table by a code the console shows, attributed to the table."""

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from workshops.actors import Actor
from workshops.errors import Refused
from workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    JOIN_CODE_ALPHABET,
    Group,
    Participant,
    Workshop,
)
from workshops.selectors import normalize_join_code
from workshops.services.common import locked_workshop, one_of, require_lead
from workshops.services.groups import groups_changed

PAIRING_CODE_LENGTH = 8


def tablet_pairing_open(*, actor: Actor, group_id: int) -> Group:
    """Give a group a pairing code (kept until the workshop ends) for its tablets."""
    require_lead(actor)
    with transaction.atomic():
        workshop = locked_workshop(actor)
        group = one_of(workshop, Group, group_id)
        while group.pairing_code is None:
            code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _i in range(PAIRING_CODE_LENGTH))
            try:
                with transaction.atomic():
                    Group.objects.filter(pk=group.pk).update(pairing_code=code)
                group.pairing_code = code
            except IntegrityError:
                continue  # that code is another table's: draw again
        groups_changed(workshop)
    return group


def group_by_pairing_code(raw_code: str) -> Group | None:
    code = normalize_join_code(raw_code)
    return Group.objects.select_related("workshop").filter(pairing_code=code).first()


def tablet_pair(*, pairing_code: str) -> Participant:
    """A tablet joins its table for the whole session; it speaks for the table."""
    group = group_by_pairing_code(pairing_code)
    if group is None:
        raise Refused("not_found", _("This pairing code is not valid."))
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=group.workshop_id)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        tablet = Participant.objects.create(
            workshop=workshop,
            display_name=group.name[:DISPLAY_NAME_MAX_LENGTH],
            location=Participant.Location.ROOM,
            kind=Participant.Kind.TABLET,
            group=group,
        )
        emit(
            workshop_id=workshop.pk,
            stream=streams.FACILITATORS,
            name="participant.joined",
            data={"participant": tablet.pk, "location": tablet.location, "group": group.pk},
        )
        groups_changed(workshop)
    return tablet

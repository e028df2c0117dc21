"""Asking for the minutes and open data: an Export row and the job that writes its files."""

from django.db import transaction
from django.utils.translation import gettext as _

from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.jobs import job_enqueue
from workshops.models import Export, Job, Workshop
from workshops.services.common import locked_workshop, require_lead

PENDING = (Job.Status.QUEUED, Job.Status.RUNNING)


def export_request(*, actor: Actor, named: bool = False) -> Export:
    """The workshop's facilitators ask for its minutes (with participants' names only if
    the organizer asks); asking again while one is being made returns that one."""
    require_lead(actor)
    if type(named) is not bool:
        raise Refused("invalid", _("Say whether the minutes name the participants."))
    if named and actor.role != Role.ORGANIZER:
        raise Refused("forbidden", _("Only the workshop's organizer can ask for named minutes."))
    with transaction.atomic():
        workshop = locked_workshop(actor)
        if workshop.is_template:
            raise Refused("template", _("A template has no minutes: nobody takes part in it."))
        return queue_export(workshop, named=named, requested_by_id=actor.user_id)


def queue_export(workshop: Workshop, *, named: bool, requested_by_id: int | None) -> Export:
    """An export and its job, in the caller's transaction (with the workshop locked)."""
    pending = (
        Export.objects.filter(workshop=workshop, named=named, job__status__in=PENDING)
        .order_by("-id")
        .first()
    )
    if pending is not None:
        return pending
    export = Export.objects.create(
        workshop=workshop,
        named=named,
        requested_by_id=requested_by_id,
        language=workshop.language,
    )
    export.job = job_enqueue(kind="minutes.generate", payload={"export": export.pk})
    export.save(update_fields=["job"])
    return export

"""Following proposals, leaving an email, and the notifications followers receive.

Notifications are rows written in the same transaction as what they tell; emails are sent
by background jobs (deliberation/mailing.py), never inside a request.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.models import Follow, Notification, Person, Proposal
from deliberation.people import Viewer, participant_person, person_of
from deliberation.permissions import Action, require
from deliberation.services.common import proposal_for, space_of
from workshops.errors import Refused
from workshops.jobs import job_enqueue
from workshops.models import Participant

# Sent as soon as they happen to people who chose it; new comments wait for the digest.
IMMEDIATE_KINDS = (
    Notification.Kind.ANSWER,
    Notification.Kind.MERGED,
    Notification.Kind.WITHDRAWN,
    Notification.Kind.REPLY,
)


def queue_emails() -> None:
    """A job that sends every notification due at once (its own and any others pending).
    Queued in the caller's transaction: it exists if and only if the notifications do. No
    dedupe key: a job already running may have read the pending rows before these."""
    job_enqueue(kind="deliberation.send_notifications")


def notify(
    people: list[int], proposal: Proposal, kind: str, *, comment=None, data: dict | None = None
) -> int:
    rows = [
        Notification(
            person_id=person_id, proposal=proposal, kind=kind, comment=comment, data=data or {}
        )
        for person_id in dict.fromkeys(people)
    ]
    Notification.objects.bulk_create(rows)
    if rows and kind in IMMEDIATE_KINDS:
        queue_emails()
    return len(rows)


def notify_followers(
    proposal: Proposal,
    kind: str,
    *,
    exclude: int | None = None,
    comment=None,
    data: dict | None = None,
) -> int:
    followers = proposal.follows.exclude(person_id=exclude).values_list("person_id", flat=True)
    return notify(list(followers), proposal, kind, comment=comment, data=data)


def follow_add(person: Person, proposal: Proposal, source: str = Follow.Source.MANUAL) -> Follow:
    follow, _created = Follow.objects.get_or_create(
        person=person, proposal=proposal, defaults={"source": source}
    )
    return follow


def follow_workshop_people(proposal: Proposal) -> int:
    """When a proposal born from a workshop is published, its participants who left an
    email follow it (they asked to know what becomes of their workshop)."""
    provenance = getattr(proposal, "provenance", None)
    if provenance is None or provenance.workshop_id is None:
        return 0
    people = Person.objects.filter(participant__workshop_id=provenance.workshop_id).exclude(
        email=""
    )
    Follow.objects.bulk_create(
        [
            Follow(person=person, proposal=proposal, source=Follow.Source.WORKSHOP)
            for person in people
        ],
        ignore_conflicts=True,
    )
    return len(people)


def proposal_follow(*, viewer: Viewer, proposal_id: int, following: bool) -> bool:
    with transaction.atomic():
        space = space_of(viewer)
        require(viewer, Action.FOLLOW, space)
        proposal = proposal_for(viewer, proposal_id)
        person = person_of(viewer)
        if following:
            follow_add(person, proposal)
        else:
            Follow.objects.filter(person=person, proposal=proposal).delete()
    return following


def clean_email(value: object) -> str:
    email = value.strip().lower() if isinstance(value, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        raise Refused("invalid", _("Enter a valid email address.")) from None
    if len(email) > 254:
        raise Refused("invalid", _("Enter a valid email address."))
    return email


def _require_consent(consent: object) -> None:
    if consent is not True:
        raise Refused(
            "consent", _("Tick the box to agree that we keep your email for this purpose.")
        )


def _set_email(person: Person, email: str, *, frequency: str, language: str) -> bool:
    """Keep the email and ask to confirm it when it is new; True if a confirmation goes."""
    if frequency not in Person.Frequency.values:
        raise Refused("invalid", _("Unknown frequency."))
    changed = person.email != email
    person.email = email
    person.frequency = frequency
    person.language = language[:8]
    person.consented_at = timezone.now()
    if changed:
        person.email_confirmed_at = None
    person.save()
    if changed:
        job_enqueue(kind="deliberation.confirm_email", payload={"person": person.pk})
    return changed


def participant_keep_informed(
    *, participant: Participant, email: str, consent: bool, frequency: str, language: str
) -> Person:
    """A workshop's guest leaves an email to hear what becomes of its proposals: they follow
    the ones already published, and will follow those to come."""
    email = clean_email(email)
    _require_consent(consent)
    if participant.kind != Participant.Kind.PERSON:
        raise Refused("forbidden", _("A shared device cannot leave an email: use your own."))
    with transaction.atomic():
        person = participant_person(participant)
        person = Person.objects.select_for_update().get(pk=person.pk)
        _set_email(person, email, frequency=frequency, language=language)
        published = Proposal.objects.filter(
            provenance__workshop_id=participant.workshop_id,
            status=Proposal.Status.PUBLISHED,
            hidden_at=None,
        )
        Follow.objects.bulk_create(
            [Follow(person=person, proposal=p, source=Follow.Source.WORKSHOP) for p in published],
            ignore_conflicts=True,
        )
    return person


def email_follow(
    *, viewer: Viewer, proposal_id: int, email: str, consent: bool, language: str
) -> Person:
    """Anyone may follow a proposal with only an email, once they confirm it."""
    email = clean_email(email)
    _require_consent(consent)
    with transaction.atomic():
        proposal = proposal_for(viewer, proposal_id)
        if not proposal.is_published:
            raise Refused("draft", _("This proposal is not published yet."))
        person = (
            Person.objects.select_for_update()
            .filter(email=email, user=None, participant=None, anonymized_at=None)
            .first()
        )
        if person is None:
            person = Person.objects.create(email=email, language=language[:8])
            _set_email_fresh(person, language)
        elif person.email_confirmed_at is None:
            # Asked again before confirming: a new confirmation link.
            job_enqueue(kind="deliberation.confirm_email", payload={"person": person.pk})
        follow_add(person, proposal)
    return person


def _set_email_fresh(person: Person, language: str) -> None:
    person.consented_at = timezone.now()
    person.language = language[:8]
    person.save(update_fields=["consented_at", "language"])
    job_enqueue(kind="deliberation.confirm_email", payload={"person": person.pk})


def person_by_token(token: object) -> Person | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 40:
        return None
    return Person.objects.filter(token=token, anonymized_at=None).first()


def email_confirm(*, token: str) -> Person:
    person = person_by_token(token)
    if person is None or not person.email:
        raise Refused("not_found", _("This link is not valid any more."))
    if person.email_confirmed_at is None:
        person.email_confirmed_at = timezone.now()
        person.save(update_fields=["email_confirmed_at"])
    return person


def emails_stop(*, token: str) -> Person:
    """Stop every email and forget the address; in-app follow-up goes on."""
    with transaction.atomic():
        person = person_by_token(token)
        if person is None:
            raise Refused("not_found", _("This link is not valid any more."))
        person.email = ""
        person.email_confirmed_at = None
        person.consented_at = None
        person.save(update_fields=["email", "email_confirmed_at", "consented_at"])
        if person.participant_id is None and person.user_id is None:
            # Only an email that followed: nothing of them is left to follow with.
            person.follows.all().delete()
    return person


def email_forget(*, person: Person) -> Person:
    return emails_stop(token=person.token)


def frequency_set(*, person: Person, frequency: str) -> Person:
    if frequency not in Person.Frequency.values:
        raise Refused("invalid", _("Unknown frequency."))
    person.frequency = frequency
    person.save(update_fields=["frequency"])
    return person


def notifications_seen(*, people: list[Person]) -> int:
    """The follow-up page shows them: they are read."""
    return Notification.objects.filter(person__in=people, read_at=None).update(
        read_at=timezone.now()
    )

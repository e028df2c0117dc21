"""Emails of deliberation, sent by background jobs (workshops/jobs.py names them), never
inside a request: confirmations, notifications, the daily digest, and the organizers'
reminders (a threshold reached, the end of the votes).

Each email is plain text in its reader's language, with links to the proposal, to the
reader's follow-up page and to stop the emails.
"""

import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from deliberation.models import Notification, Person, Proposal, Space
from deliberation.services.follows import IMMEDIATE_KINDS
from workshops.links import absolute
from workshops.models import Job

logger = logging.getLogger(__name__)


def proposal_link(proposal: Proposal) -> str:
    return absolute(reverse("proposal", args=[proposal.space.slug, proposal.number]))


def send(to: str, subject: str, body: str, *, stop_link: str | None = None) -> None:
    headers = {"List-Unsubscribe": f"<{stop_link}>"} if stop_link else {}
    subject = " ".join(subject.split())[:200]
    EmailMessage(subject=subject, body=body, to=[to], headers=headers).send()


def person_links(person: Person) -> dict:
    return {
        "followup_link": absolute(reverse("followup-token", args=[person.token])),
        "stop_link": absolute(reverse("emails-stop", args=[person.token])),
    }


def send_confirmation(job: Job) -> dict:
    person = Person.objects.filter(pk=job.payload.get("person")).first()
    if person is None or not person.email or person.email_confirmed_at is not None:
        return {"sent": 0}
    with translation.override(person.language):
        body = render_to_string(
            "deliberation/email/confirm.txt",
            {
                "confirm_link": absolute(reverse("email-confirm", args=[person.token])),
                **person_links(person),
            },
        )
        send(person.email, _("Confirm your email address"), body)
    return {"sent": 1}


def items(notifications: list[Notification]) -> list[dict]:
    return [
        {
            "notification": notification,
            "proposal": notification.proposal,
            "link": (
                absolute(
                    reverse(
                        "comment", args=[notification.proposal.space.slug, notification.comment_id]
                    )
                )
                if notification.comment_id
                else proposal_link(notification.proposal)
            ),
        }
        for notification in notifications
    ]


def _email_person(person: Person, notifications: list[Notification], *, digest: bool) -> None:
    with translation.override(person.language):
        body = render_to_string(
            "deliberation/email/notifications.txt",
            {"items": items(notifications), "digest": digest, **person_links(person)},
        )
        if digest:
            subject = _("Your daily follow-up: %(count)d news") % {"count": len(notifications)}
        elif len(notifications) == 1:
            subject = _("News of the proposal “%(title)s”") % {
                "title": notifications[0].proposal.title
            }
        else:
            subject = _("News of %(count)d proposals you follow") % {"count": len(notifications)}
        send(person.email, subject, body, stop_link=person_links(person)["stop_link"])


def _deliver(pending, *, digest: bool) -> int:
    """Email each person their pending notifications in one message, and mark them; a
    notification is claimed under lock first, so two workers never send it twice."""
    by_person: dict[int, list[int]] = defaultdict(list)
    for person_id, notification_id in pending.values_list("person_id", "pk"):
        by_person[person_id].append(notification_id)
    sent = 0
    for ids in by_person.values():
        with transaction.atomic():
            claimed = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids, emailed_at=None)
                .select_related("proposal__space", "comment__author", "person")
            )
            if not claimed:
                continue
            _email_person(claimed[0].person, claimed, digest=digest)
            Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(
                emailed_at=timezone.now()
            )
            sent += 1
    return sent


def emailable(notifications):
    """Notifications of people with a confirmed email, from after they confirmed it."""
    return notifications.filter(
        emailed_at=None,
        person__email_confirmed_at__isnull=False,
        created_at__gte=F("person__email_confirmed_at"),
    ).exclude(person__email="")


def send_notifications(job: Job) -> dict:
    pending = emailable(Notification.objects).filter(
        kind__in=IMMEDIATE_KINDS, person__frequency=Person.Frequency.IMMEDIATE
    )
    return {"emails": _deliver(pending, digest=False)}


def send_digest(job: Job) -> dict:
    """Once a day: everything that happened, for the people who chose a daily digest."""
    pending = emailable(Notification.objects).filter(person__frequency=Person.Frequency.DAILY)
    return {"emails": _deliver(pending, digest=True)}


def organizers_of(space: Space) -> list:
    users = get_user_model().objects.filter(
        pk=space.organizer_id
    ) | get_user_model().objects.filter(space_roles__space=space, space_roles__role="organizer")
    return [user for user in users.distinct() if user.email]


def _email_organizers(space: Space, template: str, subject, context: dict) -> int:
    recipients = organizers_of(space)
    with translation.override(space.language):
        body = render_to_string(template, {"space": space, **context})
        for user in recipients:
            send(user.email, str(subject()), body)
    return len(recipients)


def threshold_reached(job: Job) -> dict:
    proposal = (
        Proposal.objects.select_related("space").filter(pk=job.payload.get("proposal")).first()
    )
    if proposal is None:
        return {"emails": 0}
    space = proposal.space
    count = _email_organizers(
        space,
        "deliberation/email/threshold.txt",
        lambda: (
            _("#%(number)d reached %(threshold)d supports")
            % {"number": proposal.number, "threshold": space.support_threshold or 0}
        ),
        {
            "proposal": proposal,
            "link": proposal_link(proposal),
            "answers_link": absolute(reverse("space-answers", args=[space.slug])),
        },
    )
    return {"emails": count}


def supports_closed(job: Job) -> dict:
    """At the deadline: which proposals reached the threshold and still wait for an answer."""
    space = Space.objects.filter(pk=job.payload.get("space")).first()
    if space is None or space.support_deadline is None:
        return {"emails": 0}
    if space.support_deadline.isoformat() != job.payload.get("deadline"):
        return {"emails": 0, "skipped": "the deadline moved"}
    owed = list(
        space.proposals.exclude(threshold_reached_at=None)
        .filter(answered_at=None, withdrawn_at=None, merged_into=None)
        .order_by("number")
    )
    count = _email_organizers(
        space,
        "deliberation/email/supports_closed.txt",
        lambda: _("Votes have ended in “%(space)s”") % {"space": space.title},
        {
            "owed": [(proposal, proposal_link(proposal)) for proposal in owed],
            "answers_link": absolute(reverse("space-answers", args=[space.slug])),
        },
    )
    return {"emails": count, "owed": len(owed)}

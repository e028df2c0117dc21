"""Erase participants' identities in workshops past their retention (GDPR).

A daily job does the same (`privacy.retention`); this command is for operators who want it
now, or from cron. Contributions stay, attributed to nobody.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from workshops.models import Participant
from workshops.services.privacy import (
    participants_anonymize_expired,
    retention_ends,
    workshops_with_identities,
)


class Command(BaseCommand):
    help = "Anonymize the participants of every workshop whose retention has ended."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be anonymized, change nothing"
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        if dry_run:
            due = [
                workshop
                for workshop in workshops_with_identities()
                if retention_ends(workshop) <= now
            ]
            for workshop in due:
                count = Participant.objects.filter(workshop=workshop, anonymized_at=None).count()
                self.stdout.write(
                    f"{workshop.join_code}: {count} participant(s) would be anonymized"
                )
            self.stdout.write(f"{len(due)} workshop(s) past their retention")
            return
        count = participants_anonymize_expired(now=now)
        self.stdout.write(f"{count} participant(s) anonymized")

"""Create (once) the demo organizer and workshop, and print the links people need."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from workshops import links, services
from workshops.models import Workshop

DEMO_USERNAME = "organizer"
DEMO_PASSWORD = "atelier-demo"  # noqa: S105 (development only: refused when DEBUG is off)
DEMO_CODE = "PARC42"
DEMO_TITLE = "Réaménager le parc Jean-Moulin"


class Command(BaseCommand):
    help = "Create the demo organizer and workshop (idempotent) and print the links."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo account has a public password: run it with DEBUG=true.")
        with transaction.atomic():
            organizer = self.demo_organizer()
            workshop = Workshop.objects.filter(join_code=DEMO_CODE).first()
            if workshop is None:
                workshop = services.workshop_create(
                    organizer=organizer,
                    title=DEMO_TITLE,
                    purpose="Imaginer ensemble le parc de demain : usages, jeux, ombre, accès.",
                    place="Salle des fêtes",
                    language="fr",
                    join_code=DEMO_CODE,
                )
        self.print_links(workshop)

    def demo_organizer(self):
        users = get_user_model()
        organizer = users.objects.filter(username=DEMO_USERNAME).first()
        if organizer is None:
            organizer = users.objects.create_superuser(
                DEMO_USERNAME, email="", password=DEMO_PASSWORD
            )
        return organizer

    def print_links(self, workshop: Workshop) -> None:
        rows = [
            ("Organizer login", links.absolute(reverse("login"))),
            ("  username / password", f"{DEMO_USERNAME} / {DEMO_PASSWORD} (development only)"),
            ("Facilitator console", links.console_link(workshop)),
            ("Participant join", links.join_link(workshop)),
            ("  join code", workshop.join_code),
            ("Projector", links.projector_link(workshop)),
            ("Health", links.absolute(reverse("healthz"))),
        ]
        width = max(len(label) for label, _value in rows)
        self.stdout.write(self.style.SUCCESS(f"\nAtelier demo workshop: {workshop.title}\n"))
        for label, value in rows:
            self.stdout.write(f"  {label.ljust(width)}  {value}")
        if not settings.PUBLIC_URL and os.environ.get("HOST") in ("0.0.0.0", "::"):  # noqa: S104
            self.stdout.write(
                self.style.WARNING(
                    "  Phones cannot reach 127.0.0.1: set PUBLIC_URL=http://<this machine's "
                    "address on the room network>:PORT so links and QR codes work."
                )
            )
        self.stdout.write("")

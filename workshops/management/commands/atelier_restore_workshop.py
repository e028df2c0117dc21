"""Load a workshop dumped by atelier_dump_workshop into this database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshops.backup import RestoreError, restore_workshop


class Command(BaseCommand):
    help = "Restore a workshop from a JSON dump (refused if any of its rows already exists)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the dump written by atelier_dump_workshop")

    def handle(self, *args, file: str, **options) -> None:
        try:
            workshop = restore_workshop(Path(file).read_text(encoding="utf-8"))
        except (OSError, RestoreError) as error:
            raise CommandError(f"nothing restored: {error}") from None
        self.stdout.write(f"workshop {workshop.join_code} restored: {workshop.title}")

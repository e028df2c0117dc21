"""Write one workshop (and the accounts that lead it) as a JSON file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshops.backup import dump_workshop
from workshops.models import Workshop


class Command(BaseCommand):
    help = "Dump one workshop, by its join code, to a JSON file (or standard output)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", help="the workshop's join code")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, code: str, output: str | None = None, **options) -> None:
        workshop = Workshop.objects.filter(join_code=code.upper()).first()
        if workshop is None:
            raise CommandError(f"no workshop has the code {code}")
        text = dump_workshop(workshop)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"workshop {workshop.join_code} written to {output}")
        else:
            self.stdout.write(text)

"""Run background jobs (minutes, notification digests, deadlines) as they fall due."""

import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from workshops.jobs import run_due_jobs


class Command(BaseCommand):
    help = "Claim and run background jobs; several workers may run at once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run the due jobs, then exit")
        parser.add_argument(
            "--poll", type=float, default=1.0, help="seconds between looks when idle"
        )

    def handle(self, *args, once: bool = False, poll: float = 1.0, **options) -> None:
        worker = f"{socket.gethostname()}:{os.getpid()}"
        if once:
            self.stdout.write(f"{run_due_jobs(worker=worker)} job(s) run")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
        self.stdout.write(f"atelier worker {worker} started")
        while not stopping:
            close_old_connections()
            try:
                ran = run_due_jobs(worker=worker, limit=10)
            except DatabaseError as error:
                self.stderr.write(f"database unavailable, retrying: {error}")
                ran = 0
            if not ran:
                time.sleep(poll)

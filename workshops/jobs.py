"""Background jobs: rows in PostgreSQL claimed by `manage.py atelier_worker` (DESIGN.md,
"Background work"; healthchecks' `sendalerts` is the model).

A job is claimed with a conditional update (`status = queued` → `running`), so two workers
never run the same one. A worker that dies leaves its job `running`; after `STALE_AFTER` it
is queued again, up to `MAX_ATTEMPTS`. Handlers are named here, by dotted path, so that the
list of everything that runs in the background is in one place.
"""

import logging
import socket
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from workshops.models import Job

logger = logging.getLogger(__name__)

# kind → "module.function(job)". A handler returns a dict kept as the job's result.
HANDLERS: dict[str, str] = {
    "jobs.noop": "workshops.jobs.noop",
    "receipts.prune": "live.receipts.prune_receipts",
    "minutes.generate": "workshops.minutes.exports.generate",
    "privacy.retention": "workshops.privacy.retention_job",
    "deliberation.confirm_email": "deliberation.mailing.send_confirmation",
    "deliberation.send_notifications": "deliberation.mailing.send_notifications",
    "deliberation.digest": "deliberation.mailing.send_digest",
    "deliberation.threshold_reached": "deliberation.mailing.threshold_reached",
    "deliberation.supports_closed": "deliberation.mailing.supports_closed",
}
# Jobs the worker queues by itself, once per period (at the start of each period).
RECURRING: dict[str, timedelta] = {
    "receipts.prune": timedelta(days=1),
    "privacy.retention": timedelta(days=1),
    "deliberation.digest": timedelta(days=1),
}
MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=15)


def noop(job: Job) -> dict:
    """A job that does nothing: the worker's own tests and health checks use it."""
    return {"echo": job.payload}


def job_enqueue(
    *,
    kind: str,
    payload: Mapping[str, object] | None = None,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
) -> Job:
    """Queue a job (after the caller's transaction commits, the worker may take it).

    With `dedupe_key`, a pending job with the same key is returned instead of a second one.
    """
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    fields = {"kind": kind, "payload": dict(payload or {}), "run_at": run_at or timezone.now()}
    if not dedupe_key:
        return Job.objects.create(**fields)
    try:
        with transaction.atomic():
            return Job.objects.create(dedupe_key=dedupe_key, **fields)
    except IntegrityError:
        pending = [Job.Status.QUEUED, Job.Status.RUNNING]
        found = Job.objects.filter(dedupe_key=dedupe_key, status__in=pending).first()
        if found is None:  # finished in between: queue it again
            return job_enqueue(kind=kind, payload=payload, run_at=run_at, dedupe_key=dedupe_key)
        return found


def job_progress(job: Job, percent: int) -> None:
    """Let screens show how far a long job is (they poll the job's row)."""
    job.progress = max(0, min(100, percent))
    Job.objects.filter(pk=job.pk).update(progress=job.progress)


def requeue_stale_jobs(now: datetime | None = None) -> int:
    """Jobs whose worker died: queued again, or failed once they used up their attempts."""
    now = now or timezone.now()
    stale = Job.objects.filter(status=Job.Status.RUNNING, claimed_at__lt=now - STALE_AFTER)
    failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Job.Status.FAILED, finished_at=now, error="the worker stopped while running it"
    )
    return failed + stale.update(status=Job.Status.QUEUED, claimed_at=None)


def claim_next_job(worker: str | None = None) -> Job | None:
    """Take the oldest due job, or None. Safe with any number of workers."""
    worker = worker or socket.gethostname()
    while True:
        now = timezone.now()
        candidate = (
            Job.objects.filter(status=Job.Status.QUEUED, run_at__lte=now)
            .order_by("run_at", "id")
            .values_list("pk", flat=True)
            .first()
        )
        if candidate is None:
            return None
        claimed = Job.objects.filter(pk=candidate, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING,
            claimed_at=now,
            claimed_by=worker[:120],
            attempts=F("attempts") + 1,
        )
        if claimed:
            return Job.objects.get(pk=candidate)
        # Another worker took it between our read and our update: look again.


def run_job(job: Job) -> Job:
    """Run a claimed job's handler and record how it ended. A failing handler costs its
    job, never the worker."""
    handler: Callable[[Job], dict | None] = import_string(HANDLERS[job.kind])
    try:
        result = handler(job) or {}
    except Exception:
        logger.exception("job %s failed", job)
        job.status = Job.Status.FAILED
        job.error = traceback.format_exc(limit=20)[-4000:]
    else:
        job.status = Job.Status.DONE
        job.result = result
        job.progress = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "result", "progress", "finished_at"])
    return job


def schedule_recurring(now: datetime | None = None) -> None:
    """Queue each recurring job for the start of its next period, once: the period's start
    is in its key, so a finished run never makes room for a second one in the same period."""
    now = now or timezone.now()
    for kind, period in RECURRING.items():
        seconds = period.total_seconds()
        start = datetime.fromtimestamp((now.timestamp() // seconds + 1) * seconds, tz=UTC)
        key = f"{kind}:{start.isoformat()}"
        if not Job.objects.filter(dedupe_key=key).exists():
            job_enqueue(kind=kind, run_at=start, dedupe_key=key)


def run_due_jobs(*, worker: str | None = None, limit: int | None = None) -> int:
    """Run every due job, one after the other; the worker loop and tests call this."""
    requeue_stale_jobs()
    schedule_recurring()
    count = 0
    while limit is None or count < limit:
        job = claim_next_job(worker)
        if job is None:
            break
        run_job(job)
        count += 1
    return count

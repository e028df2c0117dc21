"""Background jobs: claimed once whatever the number of workers, retried when a worker dies,
a failure recorded without stopping the worker."""

import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.support.servers import ROOT, server_env
from workshops import jobs
from workshops.models import Job


def test_a_due_job_runs_once_and_keeps_its_result(db):
    job = jobs.job_enqueue(kind="jobs.noop", payload={"hello": "monde"})
    assert jobs.run_due_jobs() == 1  # the recurring ones wait for their time
    job.refresh_from_db()
    assert (job.status, job.result, job.progress) == ("done", {"echo": {"hello": "monde"}}, 100)
    assert jobs.run_due_jobs() == 0


def test_a_job_waits_for_its_time(db):
    job = jobs.job_enqueue(kind="jobs.noop", run_at=timezone.now() + timedelta(hours=1))
    assert jobs.run_due_jobs() == 0
    assert Job.objects.get(pk=job.pk).status == "queued"


def test_enqueuing_twice_with_a_key_gives_one_pending_job(db):
    first = jobs.job_enqueue(kind="jobs.noop", dedupe_key="digest:2026-12-02")
    second = jobs.job_enqueue(kind="jobs.noop", dedupe_key="digest:2026-12-02")
    assert first.pk == second.pk
    jobs.run_due_jobs()
    third = jobs.job_enqueue(kind="jobs.noop", dedupe_key="digest:2026-12-02")
    assert third.pk != first.pk  # the first is done: the key is free again


def test_an_unknown_kind_is_refused(db):
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.job_enqueue(kind="nothing.here")
    assert not Job.objects.exists()


def explode(job: Job) -> dict:
    raise RuntimeError("the printer is on fire")


def test_a_failing_job_is_recorded_and_the_next_one_still_runs(db, monkeypatch):
    monkeypatch.setitem(jobs.HANDLERS, "jobs.explode", "tests.workshops.test_jobs.explode")
    failing = jobs.job_enqueue(kind="jobs.explode")
    fine = jobs.job_enqueue(kind="jobs.noop")
    assert jobs.run_due_jobs() == 2
    failing.refresh_from_db()
    assert failing.status == "failed" and "the printer is on fire" in failing.error
    assert Job.objects.get(pk=fine.pk).status == "done"


def test_a_job_whose_worker_died_is_queued_again_then_given_up(db):
    job = jobs.job_enqueue(kind="jobs.noop")
    assert jobs.claim_next_job("worker-that-dies").pk == job.pk
    later = timezone.now() + jobs.STALE_AFTER + timedelta(seconds=1)
    assert jobs.requeue_stale_jobs(now=later) == 1
    assert Job.objects.get(pk=job.pk).status == "queued"
    for _attempt in range(jobs.MAX_ATTEMPTS - 1):
        jobs.claim_next_job("worker-that-dies")
        jobs.requeue_stale_jobs(now=later)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", jobs.MAX_ATTEMPTS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_workers_claiming_at_once_take_each_job_exactly_once():
    queued = {jobs.job_enqueue(kind="jobs.noop").pk for _i in range(40)}
    claims: dict[str, list[int]] = {}
    start = threading.Barrier(4, timeout=10)

    def work(name: str) -> None:
        start.wait()
        taken = claims.setdefault(name, [])
        try:
            while (job := jobs.claim_next_job(name)) is not None:
                taken.append(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    every_claim = [pk for taken in claims.values() for pk in taken]
    assert sorted(every_claim) == sorted(queued)  # all of them, none twice


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_process_runs_jobs_as_they_are_queued():
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "atelier_worker", "--poll", "0.1"],
        cwd=ROOT,
        env=server_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        job = jobs.job_enqueue(kind="jobs.noop", payload={"n": 1})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and Job.objects.get(pk=job.pk).status != "done":
            time.sleep(0.1)
        assert Job.objects.get(pk=job.pk).status == "done"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=10)[0].decode()
    assert worker.returncode == 0, output


def test_recurring_jobs_are_queued_once_per_period(db):
    now = timezone.now()
    jobs.schedule_recurring(now)
    jobs.schedule_recurring(now + timedelta(seconds=5))
    pending = Job.objects.filter(kind="receipts.prune")
    assert pending.count() == 1
    assert pending.get().run_at > now
    jobs.schedule_recurring(now + timedelta(days=1, seconds=1))
    assert pending.count() == 2  # the next period's


def test_old_command_receipts_are_pruned_and_recent_ones_kept(db):
    from live.models import CommandReceipt
    from live.receipts import RECEIPTS_KEPT_FOR, prune_receipts

    old = CommandReceipt.objects.create(actor="p:1", client_id="old", name="x", args_digest="d")
    CommandReceipt.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - RECEIPTS_KEPT_FOR - timedelta(days=1)
    )
    CommandReceipt.objects.create(actor="p:1", client_id="new", name="x", args_digest="d")
    assert prune_receipts() == {"deleted": 1}
    assert list(CommandReceipt.objects.values_list("client_id", flat=True)) == ["new"]

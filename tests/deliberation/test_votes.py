"""Votes on proposals: for, against or neutral, one per person and changeable; a limit of
supports per person; a threshold and a deadline per space. Exact under concurrency."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from deliberation import services
from deliberation.models import Proposal, Vote
from deliberation.services import votes as votes_module
from tests.deliberation.conftest import viewer_for
from workshops.errors import Refused
from workshops.jobs import run_due_jobs
from workshops.models import Job

pytestmark = pytest.mark.postgres


def refused(call, **kwargs) -> str:
    with pytest.raises(Refused) as refusal:
        call(**kwargs)
    return refusal.value.code


def counts(proposal) -> tuple[int, int, int]:
    fresh = Proposal.objects.get(pk=proposal.pk)
    return fresh.supports_count, fresh.against_count, fresh.neutral_count


def make_proposals(viewer, count: int) -> list[Proposal]:
    return [
        services.proposal_publish(
            viewer=viewer,
            proposal_id=services.proposal_create(
                viewer=viewer, title=f"Proposition {n}", body="Texte"
            ).pk,
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_one_vote_per_person_that_they_can_change_or_take_back(space, as_alice, as_bob, published):
    services.vote_cast(viewer=as_alice, proposal_id=published.pk, value="for")
    services.vote_cast(viewer=as_bob, proposal_id=published.pk, value="for")
    assert counts(published) == (2, 0, 0)
    services.vote_cast(viewer=as_alice, proposal_id=published.pk, value="against")
    assert counts(published) == (1, 1, 0)
    services.vote_cast(viewer=as_alice, proposal_id=published.pk, value="neutral")
    assert counts(published) == (1, 0, 1)
    assert Vote.objects.filter(proposal=published).count() == 2
    services.vote_remove(viewer=as_alice, proposal_id=published.pk)
    assert counts(published) == (1, 0, 0)
    assert (
        refused(services.vote_cast, viewer=as_alice, proposal_id=published.pk, value="maybe")
        == "invalid"
    )


@pytest.mark.django_db
def test_a_person_has_a_limited_number_of_supports_per_space(space, as_organizer, as_alice, as_bob):
    space.supports_per_person = 2
    space.save()
    first, second, third = make_proposals(as_organizer, 3)
    services.vote_cast(viewer=as_alice, proposal_id=first.pk, value="for")
    services.vote_cast(viewer=as_alice, proposal_id=second.pk, value="for")
    assert (
        refused(services.vote_cast, viewer=as_alice, proposal_id=third.pk, value="for")
        == "limit_reached"
    )
    services.vote_cast(viewer=as_alice, proposal_id=third.pk, value="against")  # not a support
    services.vote_cast(viewer=as_alice, proposal_id=first.pk, value="for")  # the same support
    services.vote_cast(viewer=as_alice, proposal_id=second.pk, value="neutral")  # gives one back
    services.vote_cast(viewer=as_alice, proposal_id=third.pk, value="for")
    services.vote_cast(viewer=as_bob, proposal_id=third.pk, value="for")  # Bob has his own
    assert Vote.objects.filter(person__participant__display_name="Alice", value="for").count() == 2


@pytest.mark.django_db
def test_a_support_on_a_rejected_proposal_is_given_back(space, as_organizer, as_alice):
    space.supports_per_person = 1
    space.save()
    first, second = make_proposals(as_organizer, 2)
    services.vote_cast(viewer=as_alice, proposal_id=first.pk, value="for")
    services.answer_publish_now(
        viewer=as_organizer,
        proposal_id=first.pk,
        state_id=space.states.get(title="Rejetée").pk,
        text="Non.",
    )
    services.vote_cast(viewer=as_alice, proposal_id=second.pk, value="for")
    assert counts(first)[0] == 1  # the rejected proposal keeps what it received


@pytest.mark.django_db
def test_reaching_the_threshold_before_the_deadline_commits_the_organizers_once(
    space, organizer, as_organizer, as_alice, as_bob, join, workshop, published
):
    organizer.email = "olivia@example.org"
    organizer.save()
    space.support_threshold = 2
    space.support_deadline = timezone.now() + timedelta(days=30)
    space.save()
    services.vote_cast(viewer=as_alice, proposal_id=published.pk, value="for")
    assert Proposal.objects.get(pk=published.pk).threshold_reached_at is None
    services.vote_cast(viewer=as_bob, proposal_id=published.pk, value="for")
    reached = Proposal.objects.get(pk=published.pk).threshold_reached_at
    assert reached is not None
    services.vote_remove(viewer=as_bob, proposal_id=published.pk)
    services.vote_cast(viewer=as_bob, proposal_id=published.pk, value="for")
    assert Proposal.objects.get(pk=published.pk).threshold_reached_at == reached
    assert mail.outbox == []  # never inside a request or a service
    run_due_jobs()
    [email] = [m for m in mail.outbox if "olivia@example.org" in m.to]
    assert "a atteint 2 soutiens" in email.body
    assert f"/d/{space.slug}/{published.number}/" in email.body


@pytest.mark.django_db
def test_no_vote_after_the_deadline_or_when_votes_are_closed(space, as_alice, published):
    space.support_deadline = timezone.now() - timedelta(minutes=1)
    space.save()
    assert (
        refused(services.vote_cast, viewer=as_alice, proposal_id=published.pk, value="for")
        == "votes_closed"
    )
    space.support_deadline = None
    space.votes_open = False
    space.save()
    assert (
        refused(services.vote_cast, viewer=as_alice, proposal_id=published.pk, value="for")
        == "votes_closed"
    )
    assert counts(published) == (0, 0, 0)


@pytest.mark.django_db
def test_the_end_of_the_votes_tells_the_organizers_what_is_owed(
    space, organizer, as_organizer, as_alice, published
):
    organizer.email = "olivia@example.org"
    organizer.save()
    deadline = timezone.now() + timedelta(hours=1)
    services.space_update(
        viewer=as_organizer,
        title=space.title,
        description="",
        guests_may_propose=False,
        guests_may_comment=True,
        guests_may_vote=True,
        votes_open=True,
        support_threshold=1,
        support_deadline=deadline,
        supports_per_person=None,
        reports_to_hide=3,
        comment_edit_minutes=15,
    )
    services.vote_cast(viewer=as_alice, proposal_id=published.pk, value="for")
    job = Job.objects.get(kind="deliberation.supports_closed")
    assert job.run_at == deadline
    Job.objects.filter(pk=job.pk).update(run_at=timezone.now())  # time passes
    mail.outbox.clear()
    run_due_jobs()
    [email] = [m for m in mail.outbox if "terminés" in m.subject]
    assert published.title in email.body


# Concurrency: several threads with their own connections, against PostgreSQL.


def run_together(*calls) -> list[str]:
    """Run the calls at the same moment, each in its own thread and connection."""
    outcomes: list[str] = []
    start = threading.Barrier(len(calls), timeout=10)

    def run(call) -> None:
        try:
            start.wait()
            call()
            outcomes.append("ok")
        except Refused as refusal:
            outcomes.append(refusal.code)
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def slowly(monkeypatch, name: str, seconds: float = 0.05) -> None:
    """Widen a race window inside our own code: without the right lock, the threads would
    all read before any of them writes."""
    original = getattr(votes_module, name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(votes_module, name, slow)


@pytest.mark.django_db(transaction=True)
def test_many_people_supporting_at_once_are_all_counted_and_cross_the_threshold_once(
    space, as_organizer, workshop, join, monkeypatch
):
    space.support_threshold = 8
    space.save()
    [proposal] = make_proposals(as_organizer, 1)
    voters = [viewer_for(space, participant=join(workshop, f"Voix {n}")) for n in range(12)]
    slowly(monkeypatch, "recount_votes")
    outcomes = run_together(
        *(
            lambda voter=voter: services.vote_cast(
                viewer=voter, proposal_id=proposal.pk, value="for"
            )
            for voter in voters
        )
    )
    assert outcomes == ["ok"] * 12
    assert counts(proposal) == (12, 0, 0)
    assert Vote.objects.filter(proposal=proposal).count() == 12
    assert Job.objects.filter(kind="deliberation.threshold_reached").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_person_on_two_devices_never_exceeds_the_limit(space, as_organizer, alice, monkeypatch):
    space.supports_per_person = 3
    space.save()
    proposals = make_proposals(as_organizer, 6)
    devices = [viewer_for(space, participant=alice) for _device in range(2)]
    slowly(monkeypatch, "supports_used")
    outcomes = run_together(
        *(
            lambda proposal=proposal, device=devices[n % 2]: services.vote_cast(
                viewer=device, proposal_id=proposal.pk, value="for"
            )
            for n, proposal in enumerate(proposals)
        )
    )
    assert sorted(outcomes) == ["limit_reached"] * 3 + ["ok"] * 3
    assert Vote.objects.filter(person__participant=alice, value="for").count() == 3
    assert sum(counts(p)[0] for p in proposals) == 3


@pytest.mark.django_db(transaction=True)
def test_one_person_changing_their_vote_from_several_tabs_keeps_one_vote(
    space, published, alice, monkeypatch
):
    tabs = [viewer_for(space, participant=alice) for _tab in range(6)]
    slowly(monkeypatch, "require_votes_open")
    values = ["for", "against", "neutral"] * 2
    outcomes = run_together(
        *(
            lambda tab=tab, value=value: services.vote_cast(
                viewer=tab, proposal_id=published.pk, value=value
            )
            for tab, value in zip(tabs, values, strict=True)
        )
    )
    assert outcomes == ["ok"] * 6
    assert Vote.objects.filter(proposal=published).count() == 1
    assert sum(counts(published)) == 1

"""`poll.answer` commands run together (live/batches.py, `execute_poll_answers`): each gets
the outcome it would have had alone, the answers are counted exactly, refusals leave no
receipt, replays and repeated ids return the first result, concurrent batches in several
threads neither deadlock nor count twice."""

import threading
from types import SimpleNamespace

import pytest
from django.db import connection

from live.models import CommandReceipt
from tests.support.personas import as_participant
from workshops import selectors, services
from workshops.actors import Actor, Role
from workshops.commands import Submitted, execute_command, execute_poll_answers
from workshops.errors import Refused
from workshops.models import PollAnswer
from workshops.privacy import erase_personal_data


def open_poll(lead, **settings):
    poll = services.poll_create(
        actor=lead, question="Où ?", kind="single", options=["Ici", "Là"], **settings
    )
    return services.poll_open(actor=lead, poll_id=poll.pk)


def answering(participant, client_id, poll, value, language="fr") -> Submitted:
    args = {"poll": poll.pk, "answer": value}
    return Submitted(as_participant(participant), client_id, "poll.answer", args, language)


def code_of(outcome) -> str:
    return outcome.code if isinstance(outcome, Refused) else "ok"


@pytest.fixture
def carol(workshop, join):
    return join(workshop, "Carol")


def test_each_command_gets_its_own_outcome(lead, workshop, alice, bob, carol):
    poll = open_poll(lead)
    here, there = (poll.options.get(label=label).pk for label in ("Ici", "Là"))
    execute_command(  # answered before: its replay comes in the batch
        actor=as_participant(carol),
        client_id="c1",
        name="poll.answer",
        args={"poll": poll.pk, "answer": here},
    )
    outcomes = execute_poll_answers(
        [
            answering(alice, "a1", poll, here),
            answering(bob, "b1", poll, 999_999),  # no such option
            answering(alice, "a1", poll, here),  # the same command twice: a retry
            answering(carol, "c1", poll, here),  # a replay of the earlier one
            answering(carol, "c1", poll, there, language="en"),  # its id, other args
            answering(alice, "a2", poll, there),  # she changes her mind
            answering(bob, "b2", poll, {"nope": 1}),
        ]
    )
    assert [code_of(outcome) for outcome in outcomes] == [
        "ok",
        "invalid",
        "ok",
        "ok",
        "id_reused",
        "ok",
        "invalid",
    ]
    assert outcomes[0] == outcomes[2] == {"poll": poll.pk, "answer": here, "respondent": 0}
    assert outcomes[1].message == "Choisissez une des options."
    assert outcomes[4].message == "This command id was already used for another command."
    counts = {found.pk: n for found, n in selectors.poll_results(poll).options}
    assert counts == {here: 1, there: 1}  # alice moved to "Là", carol stayed on "Ici"
    receipts = dict(CommandReceipt.objects.values_list("client_id", "result"))
    assert set(receipts) == {"a1", "a2", "c1"}  # refused commands left none
    assert receipts["a2"] == {"poll": poll.pk, "answer": there, "respondent": 0}
    # A refused command is judged again when resent: now with a valid answer.
    [again] = execute_poll_answers([answering(bob, "b1", poll, here)])
    assert code_of(again) == "ok"


def test_refusals_are_those_of_one_command_alone(lead, workshop, alice, bob, carol):
    poll = open_poll(lead)
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    group_poll = open_poll(lead, group_id=group.pk)
    here = poll.options.get(label="Ici").pk
    erase_personal_data(carol)
    outcomes = execute_poll_answers(
        [
            answering(alice, "a", group_poll, group_poll.options.first().pk),  # not her group
            answering(carol, "c", poll, here),  # erased meanwhile
            Submitted(lead, "l", "poll.answer", {"poll": poll.pk, "answer": here}, "fr"),
            answering(bob, "b", poll, here),
        ]
    )
    assert [code_of(outcome) for outcome in outcomes] == [
        "not_found",
        "unauthenticated",
        "forbidden",
        "ok",
    ]
    # Ids no table can hold are not found, and cost the others nothing.
    beyond = execute_poll_answers(
        [
            answering(alice, "x", SimpleNamespace(pk=2**70), 1),
            answering(alice, "y", SimpleNamespace(pk=-1), 1),
            answering(alice, "z", poll, here),
        ]
    )
    assert [code_of(outcome) for outcome in beyond] == ["not_found", "not_found", "ok"]
    services.poll_close(actor=lead, poll_id=poll.pk)
    [closed] = execute_poll_answers([answering(alice, "late", poll, here)])
    assert code_of(closed) == "poll_closed"
    assert PollAnswer.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_count_exactly(workshop, organizer):
    """Four threads, each with its own PostgreSQL connection, run batches of the same 40
    participants' answers at once (the same commands sent to two processes, retries,
    changed answers) while a fifth runs them one at a time."""
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    people = [
        services.participant_join(workshop=workshop, display_name=f"P{n}", location="room")
        for n in range(40)
    ]
    poll = open_poll(lead)
    here, there = (poll.options.get(label=label).pk for label in ("Ici", "Là"))
    first = [answering(person, f"first-{person.pk}", poll, here) for person in people]
    second = [answering(p, f"second-{p.pk}", poll, there) for p in people if p.pk % 2]
    start = threading.Barrier(5)
    failures: list[BaseException] = []

    def in_batches(commands: list[Submitted]) -> None:
        try:
            start.wait()
            for size in (7, 13):
                for at in range(0, len(commands), size):
                    outcomes = execute_poll_answers(commands[at : at + size])
                    assert all(not isinstance(outcome, Refused) for outcome in outcomes)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    def one_at_a_time(commands: list[Submitted]) -> None:
        try:
            start.wait()
            for command in commands:
                execute_command(
                    actor=command.actor,
                    client_id=command.client_id,
                    name=command.name,
                    args=command.args,
                )
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=in_batches, args=(first + second,)),
        threading.Thread(target=in_batches, args=(list(reversed(first + second)),)),
        threading.Thread(target=in_batches, args=(first[::2] + second + first[1::2],)),
        threading.Thread(target=in_batches, args=(first,)),
        threading.Thread(target=one_at_a_time, args=(first + second,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    # Which answer of a person who changed it counts depends on the threads' race (a
    # batch may run a second answer before another thread's first); one answer per
    # person does not, nor one receipt per command id.
    counts = {found.pk: n for found, n in selectors.poll_results(poll).options}
    assert counts[here] + counts[there] == 40 == PollAnswer.objects.count()
    assert CommandReceipt.objects.count() == 40 + len(second)

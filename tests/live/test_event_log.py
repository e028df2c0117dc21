"""The event log: gap-free sequence numbers per stream, written with the change."""

import threading

import pytest
from django.db import connection, transaction

from live import streams
from live.broadcast import StreamMissing, emit
from live.events import EVENT_TYPES, EventSchemaError, validate_event
from live.models import CommandReceipt, Event
from tests.support.limits import without_rate_limits
from workshops.actors import Actor, Role
from workshops.commands import execute_command
from workshops.models import PostIt


def seqs(workshop, stream=streams.WORKSHOP) -> list[int]:
    return list(
        Event.objects.filter(stream__workshop=workshop, stream__key=stream)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def postit_data(postit_id: int = 1) -> dict:
    return {"postit": postit_id, "author": 1, "group": None}


def test_each_stream_counts_from_one_on_its_own(workshop, alice):
    with transaction.atomic():
        emit(
            workshop_id=workshop.pk,
            stream=streams.WORKSHOP,
            name="postit.created",
            data=postit_data(1),
        )
        emit(
            workshop_id=workshop.pk,
            stream=streams.WORKSHOP,
            name="postit.created",
            data=postit_data(2),
        )
    assert seqs(workshop) == [1, 2]
    # alice's join went to the facilitators' stream, which has its own numbering
    assert seqs(workshop, streams.FACILITATORS) == [1]


def test_a_rolled_back_change_leaves_no_gap(workshop):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        emit(
            workshop_id=workshop.pk,
            stream=streams.WORKSHOP,
            name="postit.created",
            data=postit_data(),
        )
        1 / 0  # noqa: B018 (the service fails after appending its event)
    with transaction.atomic():
        event = emit(
            workshop_id=workshop.pk,
            stream=streams.WORKSHOP,
            name="postit.created",
            data=postit_data(),
        )
    assert event.seq == 1
    assert seqs(workshop) == [1]


@pytest.mark.django_db(transaction=True)
def test_emit_refuses_to_run_outside_the_services_transaction(workshop):
    with pytest.raises(RuntimeError):
        emit(
            workshop_id=workshop.pk,
            stream=streams.WORKSHOP,
            name="postit.created",
            data=postit_data(),
        )


def test_emit_refuses_an_unknown_stream(workshop):
    with pytest.raises(StreamMissing), transaction.atomic():
        emit(workshop_id=workshop.pk, stream="group:999", name="postit.created", data=postit_data())


@pytest.mark.parametrize(
    "data",
    [
        {"postit": 1, "author": 1},  # missing field
        {"postit": 1, "author": 1, "group": None, "text": "names and texts stay out of the log"},
        {"postit": "1", "author": 1, "group": None},  # wrong type
        {"postit": True, "author": 1, "group": None},  # bool is not an id
    ],
)
def test_events_must_match_their_declaration(data):
    with pytest.raises(EventSchemaError):
        validate_event("postit.created", data)


def test_undeclared_events_are_refused():
    with pytest.raises(EventSchemaError):
        validate_event("postit.exploded", {})


def test_declared_events_carry_ids_not_names():
    for event_type in EVENT_TYPES.values():
        assert not {"name", "display_name", "email", "text"} & set(event_type.fields)


@without_rate_limits  # 20 commands at once per person: not what is tested
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_share_or_skip_a_sequence_number(workshop, join):
    """Eight threads, each with its own PostgreSQL connection, write 200 post-its at once."""
    writers, per_writer = 8, 25
    participants = [join(workshop, f"Writer {i}") for i in range(writers)]
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(participant) -> None:
        actor = Actor(workshop.pk, Role.PARTICIPANT, participant_id=participant.pk)
        try:
            start.wait()
            for n in range(per_writer):
                execute_command(
                    actor=actor, client_id=f"c{n}", name="postit.create", args={"text": f"idée {n}"}
                )
        except BaseException as error:  # surfaced below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(p,)) for p in participants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    total = writers * per_writer
    assert seqs(workshop) == list(range(1, total + 1))
    assert PostIt.objects.filter(workshop=workshop).count() == total
    assert CommandReceipt.objects.count() == total

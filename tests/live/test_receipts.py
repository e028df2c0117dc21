"""Idempotent commands: a replayed id changes nothing and returns the original result."""

import threading

import pytest
from django.db import connection

from live.models import CommandReceipt
from workshops.actors import Actor, Role
from workshops.commands import execute_command
from workshops.errors import Refused
from workshops.models import PostIt


def as_actor(participant) -> Actor:
    return Actor(participant.workshop_id, Role.PARTICIPANT, participant_id=participant.pk)


def test_a_replayed_command_returns_the_original_result_and_writes_nothing(alice):
    first = execute_command(
        actor=as_actor(alice), client_id="a1", name="postit.create", args={"text": "Des bancs"}
    )
    again = execute_command(
        actor=as_actor(alice), client_id="a1", name="postit.create", args={"text": "Des bancs"}
    )
    assert again == first
    assert PostIt.objects.count() == 1


def test_reusing_an_id_for_other_arguments_is_refused(alice):
    execute_command(
        actor=as_actor(alice), client_id="a1", name="postit.create", args={"text": "Des bancs"}
    )
    with pytest.raises(Refused) as refusal:
        execute_command(
            actor=as_actor(alice), client_id="a1", name="postit.create", args={"text": "Autre"}
        )
    assert refusal.value.code == "id_reused"
    assert list(PostIt.objects.values_list("text", flat=True)) == ["Des bancs"]


def test_ids_are_unique_per_actor_not_globally(alice, bob):
    execute_command(
        actor=as_actor(alice), client_id="same", name="postit.create", args={"text": "A"}
    )
    execute_command(actor=as_actor(bob), client_id="same", name="postit.create", args={"text": "B"})
    assert PostIt.objects.count() == 2


def test_a_refused_command_leaves_no_receipt_and_is_judged_again(alice):
    for _attempt in range(2):
        with pytest.raises(Refused) as refusal:
            execute_command(
                actor=as_actor(alice), client_id="x", name="postit.create", args={"text": " "}
            )
        assert refusal.value.code == "empty"
    assert CommandReceipt.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_command_sent_from_two_connections_at_once_counts_once(alice):
    """A phone resending its queue while the first send is still in flight."""
    start = threading.Barrier(4)
    results: list[dict] = []

    def send() -> None:
        try:
            start.wait()
            results.append(
                execute_command(
                    actor=as_actor(alice),
                    client_id="dup",
                    name="postit.create",
                    args={"text": "Une fois"},
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert PostIt.objects.count() == 1
    assert len(results) == 4 and all(result == results[0] for result in results)

"""Group commit (live/batches.py): a command runs at once when none of its kind is
running; those that arrive meanwhile run together next; each gets its own outcome."""

import asyncio
import threading

import pytest

from live.batches import GroupCommit
from workshops.errors import Refused

# The batches run on the live layer's ORM threads, which look after their connections.
pytestmark = pytest.mark.django_db(transaction=True)


async def test_commands_arriving_during_a_batch_run_together_next():
    batches: list[list[str]] = []
    first_started, release_first = threading.Event(), threading.Event()

    def execute_many(commands: list[str]) -> list:
        batches.append(commands)
        if len(batches) == 1:
            first_started.set()
            release_first.wait(5)
        return [Refused("invalid", c) if c.startswith("bad") else {"ran": c} for c in commands]

    together = GroupCommit(execute_many)
    first = asyncio.ensure_future(together.submit("a"))
    await asyncio.to_thread(first_started.wait, 5)
    later = [asyncio.ensure_future(together.submit(name)) for name in ("b", "bad-c", "d")]
    await asyncio.sleep(0.05)
    release_first.set()
    assert await first == {"ran": "a"}
    assert await later[0] == {"ran": "b"}
    with pytest.raises(Refused):
        await later[1]
    assert await later[2] == {"ran": "d"}
    assert batches == [["a"], ["b", "bad-c", "d"]]


async def test_a_failing_batch_runs_each_command_alone_so_only_the_faulty_one_fails():
    batches: list[list[str]] = []

    def execute_many(commands: list[str]) -> list:
        batches.append(commands)
        if "boom" in commands:
            raise ConnectionError("the database refused it")
        return [{"ran": c} for c in commands]

    together = GroupCommit(execute_many)
    outcomes = await asyncio.gather(
        *(together.submit(name) for name in ("a", "boom", "b")), return_exceptions=True
    )
    assert outcomes[0] == {"ran": "a"} and outcomes[2] == {"ran": "b"}
    assert isinstance(outcomes[1], ConnectionError)
    assert batches == [["a", "boom", "b"], ["a"], ["boom"], ["b"]]
    assert await together.submit("c") == {"ran": "c"}

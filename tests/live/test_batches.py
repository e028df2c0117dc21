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


async def test_a_failing_batch_fails_each_of_its_commands_and_the_next_one_runs():
    calls = 0

    def execute_many(commands: list[str]) -> list:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database down")
        return [{"ran": c} for c in commands]

    together = GroupCommit(execute_many)
    failed = await asyncio.gather(
        together.submit("a"), together.submit("b"), return_exceptions=True
    )
    assert [type(outcome) for outcome in failed] == [ConnectionError, ConnectionError]
    assert await together.submit("c") == {"ran": "c"}

"""Commands of one kind from every socket of a process, run together (group commit).

A poll storm is a thousand `poll.answer` commands within two seconds. One at a time, each
costs a trip to an ORM thread and a dozen round trips to PostgreSQL, and the process spent
seconds of its core on them while the final tally waited (docs/performance.md). Together
they cost a few statements (`workshops.services.poll_answer_many`).

Nothing waits to be batched: a command runs at once when none of its kind is running, and
those that arrive meanwhile go together in the next batch, as a database's group commit
does. Each command keeps its own outcome (result or refusal, replay or not), and a socket
still sends its commands one after the other, so their order holds.
"""

import asyncio
import contextvars
import logging
import weakref
from collections.abc import Callable

from live.orm import orm
from live.receipts import Outcome
from workshops.commands import POLL_ANSWER, Submitted, execute_poll_answers

logger = logging.getLogger(__name__)

MAX_BATCH = 200  # commands per transaction: its locks are held for all of them


class GroupCommit:
    """Runs the commands submitted on one event loop in batches, one batch at a time."""

    def __init__(self, execute_many: Callable[[list[Submitted]], list[Outcome]]) -> None:
        self.execute_many = orm(execute_many)
        self.waiting: list[tuple[Submitted, asyncio.Future]] = []
        self.draining: asyncio.Task | None = None

    async def submit(self, command: Submitted) -> dict:
        """The command's result; raises its refusal (or the database's error)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.waiting.append((command, future))
        if self.draining is None:
            # Started on the next turn of the loop: frames read in this one join it. A
            # fresh context: not the first submitter's (its language, its socket).
            self.draining = loop.create_task(self.drain(), context=contextvars.Context())
        return await future

    async def drain(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
                await self.run(batch)
        finally:
            self.draining = None

    async def run(self, batch: list[tuple[Submitted, asyncio.Future]]) -> None:
        try:
            outcomes = await self.execute_many([command for command, _future in batch])
            settled = list(zip(batch, outcomes, strict=True))
        except Exception as error:
            if len(batch) == 1:  # the database is down, or this command met a bug
                settled = [(batch[0], error)]
            else:  # one command's failure must not cost the others theirs: one at a time
                logger.warning("a batch of %d commands failed: running each alone", len(batch))
                for one in batch:
                    await self.run([one])
                return
        for (_command, future), outcome in settled:
            if future.done():
                continue  # its socket went away meanwhile
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


_batchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, GroupCommit]]" = (
    weakref.WeakKeyDictionary()
)
BATCHED = {POLL_ANSWER: execute_poll_answers}


def batcher(name: str) -> GroupCommit | None:
    """This event loop's group commit for commands called `name`, if they have one."""
    execute_many = BATCHED.get(name)
    if execute_many is None:
        return None
    per_loop = _batchers.setdefault(asyncio.get_running_loop(), {})
    if name not in per_loop:
        per_loop[name] = GroupCommit(execute_many)
    return per_loop[name]

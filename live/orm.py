"""Where socket handlers run ORM work: a few threads per process, not Channels' single one.

Channels' `database_sync_to_async` runs every ORM call of a process on one thread, one at a
time. A socket's hello or command mostly waits for PostgreSQL round trips, so a room that
reconnects at once, or answers a poll at once, queued behind that one thread (30 s for
1,000 hellos, about 60 answers per second: docs/performance.md). Here they run on
`LIVE_ORM_THREADS` threads, each with its own (persistent) database connection.

This is safe because services never relied on the single thread: each validates, locks
what it must (`select_for_update`) and writes in its own transaction, and the concurrency
tests already run them from several threads. One socket's frames are still handled one
after the other (Channels dispatches them in order), so a client's commands keep their
order. Each process then holds up to LIVE_ORM_THREADS + 1 PostgreSQL connections.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import ParamSpec, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connections

P = ParamSpec("P")
R = TypeVar("R")

_pool = ThreadPoolExecutor(max_workers=settings.LIVE_ORM_THREADS, thread_name_prefix="live-orm")


def orm(func: Callable[P, R]) -> DatabaseSyncToAsync:
    """`database_sync_to_async` on the live layer's pool of ORM threads."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_pool)


def close_connections() -> None:
    """Close the database connection of every ORM thread (before a test database is
    dropped): one job per thread, held at a barrier so that each thread takes one."""
    workers = settings.LIVE_ORM_THREADS
    barrier = threading.Barrier(workers)

    def close() -> None:
        connections.close_all()
        barrier.wait(timeout=10)

    wait([_pool.submit(close) for _ in range(workers)], timeout=20)

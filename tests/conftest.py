"""Shared fixtures: real PostgreSQL and Redis, personas, sockets and server processes.

Under CI=true a missing PostgreSQL or Redis fails the run. Elsewhere the tests that need
them are skipped loudly, and the others run on SQLite and the in-memory channel layer;
locking and concurrency tests never fall back to SQLite.
"""

import os
import warnings

import psycopg
import pytest
import redis
from django.conf import settings

from tests.support.personas import *  # noqa: F403 (fixtures)
from tests.support.servers import *  # noqa: F403 (fixtures)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
UNAVAILABLE: dict[str, str] = {}


def postgres_problem() -> str | None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return f"DATABASE_URL is not PostgreSQL ({database['ENGINE']})"
    try:
        psycopg.connect(
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            user=database["USER"],
            password=database["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        return f"PostgreSQL is unreachable: {error}"
    return None


def redis_problem() -> str | None:
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis is unreachable: {error}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    # Each run gets its own channel-layer prefix: several runs may share the machine's Redis.
    settings.CHANNEL_LAYERS["default"].setdefault("CONFIG", {})["prefix"] = (
        f"atelier-test-{os.getpid()}"
    )
    settings.CACHES["default"]["KEY_PREFIX"] = f"atelier-test-{os.getpid()}"
    # A password hash costs half a second on a loaded machine; tests need none of it
    # (the server processes they start use tests/support/server_settings.py, the same).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # And its own test database: two runs on one machine never drop each other's.
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"
    for name, problem in (("postgres", postgres_problem()), ("redis", redis_problem())):
        if problem is None:
            continue
        if IN_CI:
            pytest.exit(f"CI requires {name}: {problem}", returncode=3)
        UNAVAILABLE[name] = problem
        warnings.warn(f"SKIPPING every test marked '{name}': {problem}", stacklevel=1)
    if "postgres" in UNAVAILABLE:
        settings.DATABASES["default"] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
        }
    if "redis" in UNAVAILABLE:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(scope="session", autouse=True)
def close_connections_of_async_tests(django_db_setup):
    """Async tests query through asgiref's shared worker thread and the live layer's ORM
    threads; close their connections before the test database is dropped, or PostgreSQL
    refuses to drop a database in use."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    from live.orm import close_connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)
    close_connections()  # the live layer's own ORM threads


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with full buckets (ids of participants are reused across tests)."""
    from deliberation.pace import limiter as deliberation_limiter
    from live.ratelimit import limiter

    limiter.clear()
    deliberation_limiter.clear()


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """Pages activate their workshop's or visitor's language for the rest of the thread, as
    each request does in production; a test must not leave the next one in English."""
    yield
    from django.utils import translation

    translation.deactivate()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for name, problem in UNAVAILABLE.items():
            if item.get_closest_marker(name):
                item.add_marker(pytest.mark.skip(reason=f"{name} unavailable: {problem}"))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    for name, problem in UNAVAILABLE.items():
        terminalreporter.write_line(
            f"WARNING: tests marked '{name}' were SKIPPED: {problem}", red=True, bold=True
        )

"""Real server processes (config.serve) on the test database and Redis, and a TCP proxy to
cut links."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.support.proxy import TcpProxy

__all__ = ["asgi_server", "postgres_proxy", "redis_proxy"]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(**overrides: str) -> dict[str, str]:
    """The environment of a server process that shares this test run's database and layer."""
    database = settings.DATABASES["default"]
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set around browser tests; never for servers
    env.update(
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        REDIS_URL=settings.REDIS_URL,
        CHANNEL_LAYER_PREFIX=settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="tests.support.server_settings",
    )
    env.update(overrides)
    return env


class ServerProcess:
    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return
            except urllib.error.HTTPError:
                return  # it answers (a 503 is an answer: tests of outages start it so)
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"the server is not ready on {self.url}:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def asgi_server(transactional_db, tmp_path):
    """Start server processes on this run's database and Redis: `asgi_server(**env)`."""
    started: list[ServerProcess] = []

    def start(**env: str) -> ServerProcess:
        server = ServerProcess(
            free_port(), server_env(**env), tmp_path / f"server-{len(started)}.log"
        )
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def postgres_proxy():
    """A cuttable link to the test database: give `proxy.database_url` to a server."""
    database = settings.DATABASES["default"]
    proxy = TcpProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    proxy.database_url = proxy.url("postgres", f"/{database['NAME']}", user=database["USER"])
    yield proxy
    proxy.close()


@pytest.fixture
def redis_proxy():
    """A cuttable link to the test run's Redis: give `proxy.redis_url` to a server."""
    address = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(address.hostname, address.port or 6379)
    proxy.redis_url = proxy.url("redis", address.path or "/0")
    yield proxy
    proxy.close()

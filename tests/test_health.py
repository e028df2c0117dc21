"""GET /healthz reports each dependency: 503 without a database, "degraded" without Redis."""

import json
import urllib.error
import urllib.request

import pytest

from tests.support.servers import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def get_health(server) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_all_dependencies_up(asgi_server):
    assert get_health(asgi_server()) == (
        200,
        {"status": "ok", "database": "ok", "channel_layer": "ok"},
    )


def test_without_redis_the_service_is_degraded_but_up(asgi_server):
    # Nothing listens on this port: Redis is down for this server.
    server = asgi_server(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert get_health(server) == (
        200,
        {"status": "degraded", "database": "ok", "channel_layer": "down"},
    )


def test_without_the_database_the_service_is_down(asgi_server):
    server = asgi_server(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/atelier")
    assert get_health(server) == (
        503,
        {"status": "down", "database": "down", "channel_layer": "ok"},
    )

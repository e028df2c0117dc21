"""GET /healthz: each dependency's state, for load balancers and people on call.

503 only when the database is down (nothing can be saved); 200 with "degraded" when the
channel layer is down (commands persist, clients fall back to resync).
"""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError:
        return "down"


def channel_layer_status() -> str:
    if not settings.REDIS_URL:
        return "ok"  # in-memory layer: as alive as this process
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
        return "ok"
    except redis.RedisError:
        return "down"
    finally:
        client.close()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "channel_layer": channel_layer_status()}
    if checks["database"] != "ok":
        status, code = "down", 503
    elif checks["channel_layer"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **checks}, status=code)

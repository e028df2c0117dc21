"""Wrong codes are counted per address, so that join, pairing and link codes cannot be
enumerated; right ones never are (a whole venue often shares one address: Etherpad's
per-address limit once throttled entire rooms)."""

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(request: HttpRequest) -> str:
    return f"code-failures:{client_address(request)}"


def too_many_failures(request: HttpRequest) -> bool:
    try:
        return (cache.get(_key(request)) or 0) >= settings.CODE_FAILURES_PER_ADDRESS
    except Exception:  # the cache (Redis) is down: let people in rather than lock them out
        logger.warning("code failure counter unavailable", exc_info=True)
        return False


def note_failure(request: HttpRequest) -> None:
    key = _key(request)
    try:
        if not cache.add(key, 1, timeout=settings.CODE_FAILURES_WINDOW_S):
            cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.CODE_FAILURES_WINDOW_S)
    except Exception:
        logger.warning("code failure counter unavailable", exc_info=True)


def slow_down(request: HttpRequest) -> HttpResponse:
    minutes = max(1, settings.CODE_FAILURES_WINDOW_S // 60)
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(settings.CODE_FAILURES_WINDOW_S)
    return response


def counts_wrong_codes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views reached by a code or a secret link: a 404 counts as a wrong code, and an
    address with too many is asked to wait (429) before any lookup."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if too_many_failures(request):
            return slow_down(request)
        try:
            return view(request, *args, **kwargs)
        except Http404:
            note_failure(request)
            raise

    return guarded

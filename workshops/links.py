"""Absolute links for people: phones in the room reach PUBLIC_URL, not 127.0.0.1."""

import io
import os

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from workshops.models import Workshop


def absolute(path: str, request: HttpRequest | None = None) -> str:
    if settings.PUBLIC_URL:
        return settings.PUBLIC_URL + path
    if request is not None:
        return request.build_absolute_uri(path)
    return local_base_url() + path


def local_base_url() -> str:
    """Where `make run` serves when no PUBLIC_URL is set (HOST and PORT of the server)."""
    host = os.environ.get("HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::"):  # noqa: S104 (listening everywhere; link to this machine)
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('PORT', '8000')}"


def join_link(workshop: Workshop, request: HttpRequest | None = None) -> str:
    return absolute(reverse("join", args=[workshop.join_code]), request)


def projector_link(workshop: Workshop, request: HttpRequest | None = None) -> str:
    path = reverse("projector", args=[workshop.join_code, workshop.projector_token])
    return absolute(path, request)


def scribe_link(workshop: Workshop, request: HttpRequest | None = None) -> str:
    return absolute(
        reverse("scribe-join", args=[workshop.join_code, workshop.scribe_token]), request
    )


def console_link(workshop: Workshop, request: HttpRequest | None = None) -> str:
    return absolute(reverse("console", args=[workshop.join_code]), request)


def qr_svg(url: str) -> bytes:
    """A standalone SVG document of the QR code for `url` (dark on light, with quiet zone)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=8, dark="#111", light="#fff", xmldecl=False, omitsize=True
    )
    return buffer.getvalue()

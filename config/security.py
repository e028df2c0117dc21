"""Security headers Django does not set by itself: the Content-Security-Policy and the
Permissions-Policy (docs/security.md says what they guarantee)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# No inline script, no inline style attribute, nothing from elsewhere: an injected `<script>`
# or `onerror=` in user text cannot run even if escaping ever failed. WebSockets go to this
# origin only ('self' covers ws: and wss: on the same host).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's admin still writes a few style attributes: its pages allow inline styles only.
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = (
            ADMIN_CONTENT_SECURITY_POLICY
            if request.path.startswith("/admin/")
            else CONTENT_SECURITY_POLICY
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

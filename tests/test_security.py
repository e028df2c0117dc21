"""Security headers on every page, and Django's deployment checks with production settings."""

import os
import secrets
import subprocess
import sys

from django.urls import reverse

from config.security import ADMIN_CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY
from tests.support.personas import session_cookie
from tests.support.servers import ROOT


def assert_strict_headers(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_every_page_forbids_inline_scripts_styles_and_framing(client, workshop, alice):
    anyone = [reverse("home"), reverse("join", args=[workshop.join_code]), reverse("login")]
    for url in anyone:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_headers(response)
    client.cookies.load(session_cookie(participant=alice))
    for url in [
        reverse("workshop", args=[workshop.join_code]),
        reverse("projector", args=[workshop.join_code, workshop.projector_token]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_headers(response)


def test_only_django_s_admin_may_use_inline_styles(admin_client):
    response = admin_client.get("/admin/")
    assert response.headers["Content-Security-Policy"] == ADMIN_CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]


def test_the_deployment_checks_pass_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "atelier.example.org",
        "PUBLIC_URL": "https://atelier.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_over_https_uses_secure_cookies_hsts_and_redirects_except_health():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.SECURE_REDIRECT_EXEMPT, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PUBLIC_URL": "https://atelier.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "['^healthz$']",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]

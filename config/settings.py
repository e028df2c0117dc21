"""Atelier settings, read from environment variables.

The defaults are the embedded, single-process setup of `make run`: SQLite and the
in-memory channel layer. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and
ALLOWED_HOSTS (docs/operations.md lists every variable).
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-never-in-production"  # noqa: S105

# The address people type or scan: phones in the room cannot reach 127.0.0.1.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS and DEBUG:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
if PUBLIC_URL and urlsplit(PUBLIC_URL).hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(urlsplit(PUBLIC_URL).hostname)
CSRF_TRUSTED_ORIGINS = [PUBLIC_URL] if PUBLIC_URL else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "workshops",
    "live",
    "deliberation",
]

MIDDLEWARE = [
    # First, so that it compresses every page (and, without collected files, every static
    # file): a phone on a slow network downloads a third of the bytes. Django's GZip
    # pads its output against BREACH; CSRF tokens are masked per response as well.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Persistent connections: each ORM call of a socket handler would otherwise open a new
# PostgreSQL connection (a thousand reconnecting phones, a thousand connections).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'atelier.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded database: WAL lets pages read while a command writes, and IMMEDIATE
    # transactions take the write lock up front instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CHANNEL_LAYER_PREFIX = os.environ.get("CHANNEL_LAYER_PREFIX", "atelier")
# "pubsub" (default): one PUBLISH per group_send and no membership read; "core": the
# list-based RedisChannelLayer. docs/performance.md has the measurements behind the default.
REDIS_LAYERS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}
CHANNEL_LAYER_KIND = os.environ.get("CHANNEL_LAYER", "pubsub")
if CHANNEL_LAYER_KIND not in REDIS_LAYERS:
    raise ImproperlyConfigured(f"CHANNEL_LAYER must be one of {sorted(REDIS_LAYERS)}.")
if REDIS_URL:
    # redis-py 8 reads with a 5 s timeout by default, as long as the core layer's blocking
    # BZPOPMIN: every quiet 5 s a consumer would crash (channels_redis #422). No timeout
    # then; the pub/sub layer polls and is unaffected.
    redis_host = (
        {"address": REDIS_URL, "socket_timeout": None}
        if CHANNEL_LAYER_KIND == "core"
        else REDIS_URL
    )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": REDIS_LAYERS[CHANNEL_LAYER_KIND],
            "CONFIG": {"hosts": [redis_host], "prefix": CHANNEL_LAYER_PREFIX},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Counters shared by every process (failed join codes per address): Redis when there is one.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CHANNEL_LAYER_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Wrong join, pairing or link codes tolerated per address before it must wait: a whole venue
# shares one address, so successful joins never count (docs/security.md).
CODE_FAILURES_PER_ADDRESS = int(os.environ.get("CODE_FAILURES_PER_ADDRESS", "60"))
CODE_FAILURES_WINDOW_S = int(os.environ.get("CODE_FAILURES_WINDOW_S", "600"))
# Behind a load balancer, the client's address is the last one it added to X-Forwarded-For.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "organizer-home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
# Dates as each language writes them, where Django's formats differ (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Only images that run collectstatic set it (config/Dockerfile).
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
# WhiteNoise serves static files from the ASGI server. Collected (production images): names
# with a hash of their content, cached by browsers for a year (immutable), gzip made once at
# collectstatic. Without collectstatic (`make run`, tests) the finders serve the sources,
# compressed on the fly by GZipMiddleware.
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
if STATIC_ROOT is not None:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Generated minutes and open data (workshops.Export) and proposals' attachments: files in the
# default storage, served only through views that check who asks. No MEDIA_URL: nothing
# under MEDIA_ROOT is public.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
DELIBERATION_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("DELIBERATION_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)

# Participants' identities are erased this many days after a workshop (each workshop may
# set its own); `manage.py atelier_anonymize` and a daily job apply it.
PRIVACY_RETENTION_DAYS = int(os.environ.get("PRIVACY_RETENTION_DAYS", "365"))
# Email: the console backend by default (messages printed by the worker, which sends them);
# production sets an SMTP server. Only background jobs send mail, never a request.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Atelier <atelier@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))

# Served over HTTPS (PUBLIC_URL says so): secure cookies, HSTS, and a redirect from plain
# HTTP, trusting the load balancer's X-Forwarded-Proto (docs/operations.md, docs/security.md).
HTTPS = not DEBUG and PUBLIC_URL.startswith("https://")
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health check speaks plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading commits a whole domain for years: the domain's owner decides, not this app.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("TRUST_X_FORWARDED_PROTO", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The live protocol's limits (docs/protocol.md).
LIVE_MAX_FRAME_BYTES = 64 * 1024
# A conclusion's update may carry many edits made offline: its own, larger limit.
LIVE_MAX_DOC_FRAME_BYTES = 1024 * 1024
LIVE_MAX_MISSED_EVENTS = int(os.environ.get("LIVE_MAX_MISSED_EVENTS", "500"))
# Per participant (a tablet or a scribe: four times): (burst, sustained per second). The burst
# lets a phone resend what it queued while offline; docs/security.md explains the values.
LIVE_RATE_LIMITS = {
    "postits": (20, 0.5),  # one post-it every 2 s after 20 at once
    "edits": (30, 2.0),  # moving, editing, clustering
    "votes": (30, 2.0),  # dots and poll answers, changed minds included
    "hands": (6, 0.2),
    # Per socket's actor: a hello costs a catch-up of the log (hundreds of rendered events)
    # on the threads every socket shares. A phone says hello when it connects, after a gap
    # or a `resync`: ten at once, then one every 5 s, is more than a flapping Wi-Fi needs.
    "hellos": (10, 0.2),
}
# e.g. LIVE_RATE_LIMITS='{"postits": [40, 1]}' for a hall of scribes.
LIVE_RATE_LIMITS.update(
    {
        name: tuple(value)
        for name, value in json.loads(os.environ.get("LIVE_RATE_LIMITS") or "{}").items()
    }
)
# Deliberation writes per person, as for live commands: (burst, sustained per second).
DELIBERATION_RATE_LIMITS = {
    "proposals": (5, 1 / 120),  # five drafts at once, then one every two minutes
    "comments": (10, 1 / 15),  # a lively thread, not a script
    "reports": (10, 1 / 60),
}
DELIBERATION_RATE_LIMITS.update(
    {
        name: tuple(value)
        for name, value in json.loads(os.environ.get("DELIBERATION_RATE_LIMITS") or "{}").items()
    }
)
# The fan-out hub (live/hub.py): frames of one stream within this window share one write;
# a socket with more than this many bytes waiting in its transport is told to resync.
LIVE_BATCH_INTERVAL_MS = int(os.environ.get("LIVE_BATCH_INTERVAL_MS", "100"))
LIVE_SLOW_CLIENT_BYTES = int(os.environ.get("LIVE_SLOW_CLIENT_BYTES", str(1024 * 1024)))
# Threads (each with a database connection) that run sockets' hellos and commands (live/orm.py).
LIVE_ORM_THREADS = int(os.environ.get("LIVE_ORM_THREADS", "4"))
# How often each process checks that its fan-out works (an echo through Redis); a lost echo
# tells its sockets that live updates are degraded (docs/protocol.md, `degraded`).
LIVE_HEARTBEAT_S = float(os.environ.get("LIVE_HEARTBEAT_S", "2"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # uvicorn (config/serve.py leaves its logging to these settings): no line per
        # request or per socket opened, as a room of a thousand reconnects at once.
        "uvicorn.access": {"level": "WARNING"},
        "uvicorn.error": {"level": "WARNING"},
        # WeasyPrint logs every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

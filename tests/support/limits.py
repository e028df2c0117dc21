"""For tests about something else than floods: commands at any pace."""

from django.test import override_settings

without_rate_limits = override_settings(
    LIVE_RATE_LIMITS={
        category: (1_000_000, 1_000_000.0)
        for category in ("postits", "edits", "votes", "hands", "hellos")
    }
)

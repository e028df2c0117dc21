"""How fast one person may write in a space: proposals, comments and reports.

The same token buckets as live commands (live/ratelimit.py), per person of the space,
with their own limits (settings.DELIBERATION_RATE_LIMITS): a form posted by a script
gets `slow_down`, a person typing never does.
"""

from django.utils.translation import gettext as _

from deliberation.people import Viewer
from live.ratelimit import RateLimiter
from workshops.errors import SlowDown

limiter = RateLimiter("DELIBERATION_RATE_LIMITS")


def check_pace(viewer: Viewer, category: str) -> None:
    """Refuse with `slow_down` when this person writes `category` faster than allowed.
    The space's team is not limited: it answers and moderates in bulk, under its accounts."""
    if viewer.in_team:
        return
    who = f"space:{viewer.space_id}:user:{viewer.user_id}:participant:{viewer.participant_id}"
    wait = limiter.take(who, category)
    if wait:
        raise SlowDown(
            _("Slow down a little: try again in %(seconds)d seconds.")
            % {"seconds": max(1, round(wait))},
            retry_after=wait,
        )

"""Per-participant rate limits on commands, as a real venue needs them: a burst for the
queue a phone resends after a Wi-Fi drop, then a steady pace no person types faster than.

Token buckets live in this process (a participant's sockets are normally on one process;
with several, each process grants its own pace — docs/security.md). Replays of a command
already done are answered from its receipt and never count.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from workshops.errors import SlowDown

# Which limit each command counts against; commands not listed are not limited here (the
# socket's own frame limit still applies).
CATEGORY_OF = {
    "postit.create": "postits",
    "postit.update": "edits",
    "postit.move": "edits",
    "postit.delete": "edits",
    "cluster.create": "edits",
    "cluster.rename": "edits",
    "dot.add": "votes",
    "dot.remove": "votes",
    "poll.answer": "votes",
    "hand.raise": "hands",
    "hand.lower": "hands",
}
MAX_TRACKED = 20_000  # buckets kept (least recently used dropped first)


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets per (who, category); `setting` names the settings dict of
    category -> (burst, sustained per second)."""

    def __init__(self, setting: str) -> None:
        self.setting = setting
        self.buckets: OrderedDict[tuple[str, str], Bucket] = OrderedDict()
        self.lock = threading.Lock()

    def take(self, who: str, category: str, *, scale: float = 1.0) -> float:
        """Take one token; 0 when allowed, else the seconds until one is available."""
        burst, per_second = getattr(settings, self.setting)[category]
        burst, per_second = burst * scale, per_second * scale
        now = time.monotonic()
        with self.lock:
            bucket = self.buckets.pop((who, category), None) or Bucket(burst, now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * per_second)
            bucket.updated = now
            self.buckets[(who, category)] = bucket
            if len(self.buckets) > MAX_TRACKED:
                self.buckets.popitem(last=False)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / per_second

    def clear(self) -> None:
        with self.lock:
            self.buckets.clear()


limiter = RateLimiter("LIVE_RATE_LIMITS")


def check_rate(*, actor_key: str, command: str, shared_device: bool = False) -> None:
    """Refuse with `slow_down` when this participant sends `command`s faster than allowed.
    A table tablet or a scribe writes for several people: four times the pace."""
    category = CATEGORY_OF.get(command)
    if category is None:
        return
    wait = limiter.take(actor_key, category, scale=4.0 if shared_device else 1.0)
    if wait:
        raise SlowDown(
            _("Slow down a little: try again in %(seconds)d seconds.")
            % {"seconds": max(1, round(wait))},
            retry_after=wait,
        )


def check_hello_rate(*, actor_key: str) -> None:
    """Refuse with `slow_down` a hello that comes too soon after this actor's last ones: a
    socket saying hello in a loop would keep the shared ORM threads rendering catch-ups
    while everyone else's commands wait."""
    wait = limiter.take(actor_key, "hellos")
    if wait:
        raise SlowDown(
            _("Slow down a little: try again in %(seconds)d seconds.")
            % {"seconds": max(1, round(wait))},
            retry_after=wait,
        )

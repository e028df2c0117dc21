"""Which languages the sockets of a workshop speak, across every server process.

`live.broadcast.publish` renders an event's frame once per language it sends, and most
workshops have sockets in one or two of the product's languages. So each process's hub
keeps a field per (language, process) in the workshop's Redis hash
`<prefix>:languages:<workshop id>`, whose value is the time (ms since the epoch) until
which that process vouches for it:

- written when the process's first local socket of the workshop in that language says
  `hello`, before its welcome reads the log;
- renewed at every heartbeat of the hub (`LIVE_HEARTBEAT_S`) for `TTL_BEATS` beats;
- deleted at the first heartbeat after the last such socket left.

A crashed process's fields lapse after `TTL_BEATS` beats: until then they only cost
renders nobody reads. The publisher renders the languages of the fields still valid, and
the workshop's own language; every language when Redis cannot be read.

Why no socket misses an event in its language: the publisher reads the hash after the
event committed, and the socket's field is written before its welcome reads the log. Either
the read sees the field, or the event committed before that log read and the welcome
carries it. A socket whose language a frame lacks anyway (its field could not be written,
or lapsed during an outage) gets `resync` from the hub instead, never another language's
frame (live/hub.py).
"""

import asyncio
import logging
import time
import uuid
from collections import Counter

import redis
import redis.asyncio
from django.conf import settings

logger = logging.getLogger(__name__)

TTL_BEATS = 15  # 30 s at the default heartbeat
TIMEOUT_S = 1.0  # a Redis that hangs costs a publish this long, then every language renders

_client: redis.Redis | None = None


def every_language() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def key(workshop_id: int) -> str:
    prefix = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix")
    return f"{prefix or settings.CHANNEL_LAYER_PREFIX}:languages:{workshop_id}"


def ttl_ms() -> int:
    return round(TTL_BEATS * settings.LIVE_HEARTBEAT_S * 1000)


def now_ms() -> int:
    return int(time.time() * 1000)


def languages_in_use(workshop_id: int, own: str) -> list[str]:
    """The languages some socket of the workshop speaks, and `own` (the workshop's), in the
    order of settings.LANGUAGES; every language without Redis."""
    global _client
    every = every_language()
    if not settings.REDIS_URL:
        return every
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=TIMEOUT_S,
            socket_connect_timeout=TIMEOUT_S,
            decode_responses=True,
        )
    try:
        fields = _client.hgetall(key(workshop_id))
    except redis.RedisError:
        logger.warning("languages in use unknown (Redis): rendering every language")
        return every
    now = now_ms()
    spoken = {field.split(" ")[0] for field, until in fields.items() if int(until) > now}
    return [code for code in every if code in spoken or code == own]


Entry = tuple[int, str]  # workshop, language


class Speakers:
    """This process's sockets per workshop and language, vouched for in Redis (one per hub)."""

    def __init__(self) -> None:
        self.process = uuid.uuid4().hex
        self.local: Counter[Entry] = Counter()
        self.vouched: set[Entry] = set()  # written to Redis and not deleted since
        self.gone: set[Entry] = set()  # no local socket any more: deleted at the next beat
        # Writes reach Redis in the order they were decided (a delete, then a new socket).
        self.lock = asyncio.Lock()
        self.client = (
            redis.asyncio.Redis.from_url(
                settings.REDIS_URL,
                socket_timeout=TIMEOUT_S,
                socket_connect_timeout=TIMEOUT_S,
            )
            if settings.REDIS_URL
            else None
        )

    def field(self, language: str) -> str:
        return f"{language} {self.process}"

    async def arrive(self, entry: Entry, *, write: bool) -> None:
        """A socket of this workshop and language follows its streams here; with `write`,
        returns once Redis knows it (unless Redis fails: the next beat tries again)."""
        self.local[entry] += 1
        self.gone.discard(entry)
        if not write or entry in self.vouched:
            return
        async with self.lock:
            if entry not in self.vouched:  # else a socket arriving meanwhile wrote it
                await self.write(vouch=[entry], delete=set())

    def depart(self, entry: Entry) -> None:
        self.local[entry] -= 1
        if self.local[entry] <= 0:
            del self.local[entry]
            self.gone.add(entry)

    async def renew(self) -> None:
        """Vouch again for every local language, delete those nobody speaks here any more."""
        async with self.lock:
            deleting, self.gone = self.gone, set()
            self.vouched -= deleting  # a socket arriving meanwhile writes its field again
            if not await self.write(vouch=list(self.local), delete=deleting):
                self.gone |= {entry for entry in deleting if entry not in self.local}

    async def write(self, *, vouch: list[Entry], delete: set[Entry]) -> bool:
        """One round trip to Redis (under `lock`: writes land in the order decided)."""
        if self.client is None or not (vouch or delete):
            return True
        until = now_ms() + ttl_ms()
        pipeline = self.client.pipeline(transaction=False)
        for workshop_id, language in delete:
            pipeline.hdel(key(workshop_id), self.field(language))
        for workshop_id, language in vouch:
            pipeline.hset(key(workshop_id), self.field(language), until)
            pipeline.pexpire(key(workshop_id), ttl_ms())
        try:
            await pipeline.execute()
        except (redis.RedisError, OSError):
            logger.warning("hub: could not write the languages in use", exc_info=True)
            return False
        self.vouched.update(vouch)
        return True

"""`config.settings` plus one change: no client-side read timeout on the layer's Redis.

redis-py 8 made `socket_timeout` default to 5 s. RedisChannelLayer blocks in BZPOPMIN for
5 s when idle, so the read times out and the consumer holding the receive lock crashes
(the socket closes with 1011) every ~5 s of quiet (channels_redis #422, redis-py #4091).
The benchmark selects this module with DJANGO_SETTINGS_MODULE for both layers, so the
core layer can be measured at all; `--as-shipped` runs the unchanged settings instead.
"""

from config.settings import *  # noqa: F403 (the real settings, unchanged but for the layer)
from config.settings import CHANNEL_LAYERS, REDIS_URL

if REDIS_URL:
    # None restores redis-py 7's default: block as long as the command itself says.
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [{"address": REDIS_URL, "socket_timeout": None}]

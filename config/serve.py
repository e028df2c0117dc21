"""Serve Atelier with daphne and the options every deployment needs: `python -m config.serve
-b HOST -p PORT` (make run, the Docker image, the tests' and benchmarks' servers).

daphne caps WebSocket messages at 1 MiB in both directions. A welcome that catches a
facilitator's console up on a large workshop (a board of a thousand post-its, hundreds of
missed events) is bigger, and a refused send broke the socket for good; incoming frames
keep their own, smaller limits in the consumer (docs/protocol.md).
"""

import sys

from daphne.cli import CommandLineInterface

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
APPLICATION = "config.asgi:application"


def arguments(extra: list[str]) -> list[str]:
    size = str(MAX_MESSAGE_BYTES)
    return [
        *("--websocket-max-message-size", size, "--websocket-max-frame-size", size),
        *extra,
        APPLICATION,
    ]


if __name__ == "__main__":
    CommandLineInterface().run(arguments(sys.argv[1:]))

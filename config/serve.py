"""Serve Atelier with uvicorn and the options every deployment needs: `python -m config.serve
-b HOST -p PORT` (make run, the Docker image, the tests' and benchmarks' servers).

Why uvicorn and not daphne (docs/performance.md, "Serving WebSockets: daphne or uvicorn"):
at 1,000 participants a frame written to every socket is the server's whole cost, and
daphne (Twisted on asyncio, autobahn) spends 2.5–3× a bare `websockets` relay per frame,
where uvicorn with the `websockets` sans-I/O protocol spends about the relay's own. The
application is the same ASGI application either way.

The options, and why:
- `websockets-sansio`: the `websockets` library's framing, driven by uvicorn's own
  protocol (no reader task per connection besides the application's);
- uvloop: the event loop and its transports in C (a fan-out's CPU per delivery went from
  21.6 to 19.6 µs at 1,000 participants, docs/performance.md);
- no per-message deflate: compressing each frame for each socket (with its own context)
  would cost more CPU than every other step of a fan-out; frames are small HTML fragments;
- incoming messages up to 16 MiB reach the consumer, which refuses anything over its own,
  smaller limits with an error the client understands (docs/protocol.md) rather than a
  bare close; the consumer sends nothing bigger either (a welcome that catches a
  facilitator's console up on a large workshop is big);
- proxy headers are ours to judge: the client's address and scheme come from
  `TRUST_X_FORWARDED_FOR` / `TRUST_X_FORWARDED_PROTO` (docs/operations.md), never from
  uvicorn trusting them by itself;
- no lifespan (Django's ASGI handler has none), five seconds to finish requests on stop
  (sockets are closed with 1012 at once: their clients reconnect to the next process);
- logging by Django's settings (`LOGGING`), one format for every line.
"""

import argparse

import uvicorn

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
APPLICATION = "config.asgi:application"
GRACEFUL_SHUTDOWN_S = 5


def server_config(host: str, port: int, application: object = APPLICATION) -> uvicorn.Config:
    """The uvicorn configuration of one Atelier process listening on `host`:`port`."""
    return uvicorn.Config(
        application,
        host=host,
        port=port,
        loop="uvloop",
        http="h11",
        ws="websockets-sansio",
        ws_max_size=MAX_MESSAGE_BYTES,
        ws_per_message_deflate=False,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        log_config=None,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-b", "--bind", default="127.0.0.1", help="address to listen on")
    parser.add_argument("-p", "--port", type=int, default=8000)
    options = parser.parse_args(argv)
    uvicorn.Server(server_config(options.bind, options.port)).run()


if __name__ == "__main__":
    main()

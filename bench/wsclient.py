"""A lean WebSocket client for load generation: one asyncio Protocol per connection.

A full client library costs 35–50 µs of CPU per frame received on this machine, so a
generator of 1,000 sockets saturates its core long before the server does. Here a socket
is a bare `asyncio.Protocol`: it performs the HTTP upgrade itself (RFC 6455, no extensions:
no permessage-deflate, as the product never negotiates it), parses server frames by hand (they
are unmasked) and hands each complete text message to a callback with its arrival time.
It answers pings and closes; it sends only small masked text frames.
"""

import asyncio
import base64
import hashlib
import os
import socket
import time
from collections.abc import Callable

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x8, 0x9, 0xA, 0x0

OnMessage = Callable[[bytes, int], None]  # payload, arrival (time.monotonic_ns())


class HandshakeError(ConnectionError):
    pass


class Connection(asyncio.Protocol):
    """One client socket. `on_message` runs in `data_received`: keep it short."""

    def __init__(self, request: bytes, key: bytes, on_message: OnMessage) -> None:
        self.request = request
        self.accept = base64.b64encode(hashlib.sha1(key + GUID).digest())  # noqa: S324 (RFC 6455)
        self.on_message = on_message
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.fragments: list[bytes] | None = None
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.close_code: int | None = None
        self.closed_by_us = False

    # --- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic_ns()
        self.buffer += data
        if not self.upgraded and not self._read_handshake():
            return
        self._read_frames(now)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(HandshakeError(f"connection lost during handshake: {exc}"))
            self.opened.exception()  # retrieved: whoever awaits it still gets it
        if not self.closed.done():
            self.closed.set_result(None)

    # --- reading -----------------------------------------------------------------------

    def _read_handshake(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1")
        del self.buffer[: end + 4]
        status, *lines = head.split("\r\n")
        headers = {}
        for line in lines:
            name, _sep, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        accepted = headers.get("sec-websocket-accept") == self.accept.decode()
        if " 101 " not in status + " " or not accepted:
            self.opened.set_exception(HandshakeError(status))
            self.opened.exception()  # retrieved: whoever awaits it still gets it
            self.transport.close()
            return False
        self.upgraded = True
        self.opened.set_result(None)
        return True

    def _read_frames(self, now: int) -> None:
        buffer, position, size = self.buffer, 0, len(self.buffer)
        while size - position >= 2:
            first, second = buffer[position], buffer[position + 1]
            length, header = second & 0x7F, 2
            if length == 126:
                if size - position < 4:
                    break
                length, header = int.from_bytes(buffer[position + 2 : position + 4], "big"), 4
            elif length == 127:
                if size - position < 10:
                    break
                length, header = int.from_bytes(buffer[position + 2 : position + 10], "big"), 10
            end = position + header + length
            if end > size:
                break
            payload = bytes(buffer[position + header : end])
            position = end
            self._on_frame(first & 0x80, first & 0x0F, payload, now)
        if position:
            del buffer[:position]

    def _on_frame(self, fin: int, opcode: int, payload: bytes, now: int) -> None:
        if opcode == TEXT or (opcode == CONTINUATION and self.fragments is not None):
            if not fin:
                self.fragments = [*(self.fragments or []), payload]
                return
            if self.fragments is not None:
                payload, self.fragments = b"".join([*self.fragments, payload]), None
            self.on_message(payload, now)
        elif opcode == PING:
            self._send_frame(PONG, payload)
        elif opcode == CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            if not self.closed_by_us:
                self._send_frame(CLOSE, payload[:2])
            self.transport.close()

    # --- writing -----------------------------------------------------------------------

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError("socket closed")
        length = len(payload)
        if length < 126:
            header = bytes([0x80 | opcode, 0x80 | length])
        elif length < 1 << 16:
            header = bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big")
        else:
            header = bytes([0x80 | opcode, 0x80 | 127]) + length.to_bytes(8, "big")
        mask = os.urandom(4)
        repeated = (mask * (length // 4 + 1))[:length]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
            length, "big"
        )
        self.transport.write(header + mask + masked)

    def send_text(self, text: str) -> None:
        self._send_frame(TEXT, text.encode())

    async def close(self, code: int = 1000, grace_s: float = 2) -> None:
        """Close politely (the server answers the close frame), or drop after `grace_s`."""
        if self.transport is None or self.closed.done():
            return
        self.closed_by_us = True
        try:
            self._send_frame(CLOSE, code.to_bytes(2, "big"))
            await asyncio.wait_for(asyncio.shield(self.closed), grace_s)
        except (ConnectionError, TimeoutError):
            self.abort()

    def abort(self) -> None:
        self.closed_by_us = True
        if self.transport is not None:
            self.transport.abort()

    @property
    def is_open(self) -> bool:
        return self.upgraded and not self.closed.done()


async def connect(
    host: str,
    port: int,
    path: str,
    on_message: OnMessage,
    *,
    headers: dict[str, str] | None = None,
    handshake_s: float = 30,
    receive_buffer: int | None = None,
) -> Connection:
    """Open a socket and complete the upgrade; `on_message` gets every text message.

    `receive_buffer` sets SO_RCVBUF before connecting (a small one plays a slow phone)."""
    key = base64.b64encode(os.urandom(16))
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key.decode()}",
        "Sec-WebSocket-Version: 13",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    loop = asyncio.get_running_loop()
    sock = None
    if receive_buffer is not None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        await asyncio.wait_for(loop.sock_connect(sock, (host, port)), handshake_s)
        host = port = None
    opening = loop.create_connection(
        lambda: Connection(request, key, on_message), host, port, sock=sock
    )
    _transport, connection = await asyncio.wait_for(opening, handshake_s)
    try:
        await asyncio.wait_for(asyncio.shield(connection.opened), handshake_s)
    except BaseException:
        connection.abort()
        raise
    return connection

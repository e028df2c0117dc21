"""A TCP proxy a test can cut and restore, to simulate an outage of PostgreSQL or Redis
without stopping the machine's own servers (other tests use them)."""

import socket
import threading
from contextlib import suppress


class TcpProxy:
    """Forwards 127.0.0.1:<port> to `target`. `cut()` drops every connection and refuses new
    ones (they are closed at once, as a dead server's would be); `restore()` lets them in."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.closed = False
        self.lock = threading.Lock()
        self.links: set[socket.socket] = set()
        self.database_url = self.redis_url = ""  # set by the fixtures that make proxies
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, scheme: str, path: str = "", user: str = "") -> str:
        at = f"{user}@" if user else ""
        return f"{scheme}://{at}127.0.0.1:{self.port}{path}"

    def cut(self) -> None:
        with self.lock:
            self.open = False
            links, self.links = self.links, set()
        for link in links:
            with suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                link.close()

    def restore(self) -> None:
        with self.lock:
            self.open = True

    def close(self) -> None:
        self.closed = True
        self.cut()
        with suppress(OSError):
            self.listener.close()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            with self.lock:
                accepted = self.open
            if not accepted:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.links.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                with suppress(OSError):
                    end.close()  # the other direction's thread then stops too
            with self.lock:
                self.links.discard(source)
                self.links.discard(sink)

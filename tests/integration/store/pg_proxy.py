"""A TCP proxy on 127.0.0.1 in front of the PostgreSQL server, for tests that lose a connection
at an exact point of a commit (no mocks: the real driver talks to the real server through it).

``PgProxy().start()`` listens on a free port and relays every connection to
127.0.0.1:5432. ``arm(mode)`` makes the next client message that holds ``COMMIT`` end its
connection, once:

- ``"lost_commit"``: the COMMIT never reaches the server (both sockets are closed instead), so
  the server rolls the transaction back;
- ``"lost_answer"``: the COMMIT reaches the server and the proxy waits for the server's reply
  (the transaction is then committed), swallows it and closes both sockets: the client sees
  its connection drop with the outcome of its commit unknown;
- ``"lost_answer_down"``: as ``"lost_answer"``, and the proxy stops listening first (the
  database is unreachable from then on: the client cannot ask it what became of its commit).

``fired`` is set once the armed loss happened.
"""

from __future__ import annotations

import contextlib
import socket
import threading

PG = ("127.0.0.1", 5432)


class PgProxy:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._mode: str | None = None
        self._lock = threading.Lock()
        self.fired = threading.Event()
        self._closed = False
        self._links: list[_Link] = []

    def start(self) -> PgProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def url(self, user: str, db: str, schema: str | None = None) -> str:
        u = f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{db}"
        return u + (f"?options=-csearch_path%3D{schema}" if schema else "")

    def arm(self, mode: str) -> None:
        assert mode in ("lost_commit", "lost_answer", "lost_answer_down")
        self.fired.clear()
        with self._lock:
            self._mode = mode

    def close(self) -> None:
        """Stop listening and drop every relayed connection (the database is unreachable)."""
        with self._lock:
            self._closed = True
            links = list(self._links)
        with contextlib.suppress(OSError):
            self._listener.close()
        for link in links:
            link.close()

    # -- relaying -------------------------------------------------------------------------
    def _take(self, data: bytes) -> str | None:
        """The armed mode if ``data`` is the COMMIT it waits for (disarmed then)."""
        with self._lock:
            if self._mode is not None and b"COMMIT" in data.upper():
                mode, self._mode = self._mode, None
                return mode
        return None

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closed:
                    client.close()
                    return
                link = _Link(self, client, socket.create_connection(PG))
                self._links.append(link)
            link.start()


class _Link:
    def __init__(self, proxy: PgProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        self.swallow = False
        self.answered = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._up, daemon=True).start()
        threading.Thread(target=self._down, daemon=True).start()

    def close(self) -> None:
        for s in (self.client, self.server):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def _up(self) -> None:  # client -> server
        try:
            while data := self.client.recv(65536):
                mode = self.proxy._take(data)
                if mode == "lost_commit":
                    self.close()
                    self.proxy.fired.set()
                    return
                if mode in ("lost_answer", "lost_answer_down"):
                    self.swallow = True
                    self.server.sendall(data)
                    self.answered.wait(30)  # the server committed and answered
                    if mode == "lost_answer_down":
                        self.proxy.close()
                    self.close()
                    self.proxy.fired.set()
                    return
                self.server.sendall(data)
        except OSError:
            pass
        self.close()

    def _down(self) -> None:  # server -> client
        try:
            while data := self.server.recv(65536):
                if self.swallow:
                    self.answered.set()
                    continue
                self.client.sendall(data)
        except OSError:
            pass
        self.answered.set()
        self.close()

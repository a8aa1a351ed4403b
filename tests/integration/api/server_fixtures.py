"""A real Condor server for integration tests: uvicorn on 127.0.0.1, a free port, in a
background thread, with real httpx and websockets clients (no mocks, no TestClient).

Import the fixtures into a test module (``from server_fixtures import server``); no conftest.
The test configuration is the demo one with the market fed only by the injection endpoints
(``feed="none"``), a simulated clock, and two extra users: ``alice`` (Trading on her own
account ``ALICE-1``) and ``viewer`` (ReadOnly on the demo accounts).

``ServerProcess`` runs the same configuration in a child process on a database (so a test can
kill it with SIGKILL and restart it); ``journal_url`` gives each test its own SQLite file or
PostgreSQL schema (127.0.0.1:5432, database ``test``; skipped with a message when it is
unreachable), dropped afterwards.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import httpx
import pytest
import uvicorn
from websockets.sync.client import connect

from condor.api.app import create_app
from condor.api.settings import AccountConfig, Role, Settings, StreamConfig, UserConfig

START = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


def api_settings(**overrides) -> Settings:
    base = dict(
        demo=True,
        feed="none",
        clock_start=START,
        jwt_secret="integration-test-secret-0123456789abcdef",
        log_level="warning",
        users=[
            UserConfig(
                username="alice", password="alice-pw", role=Role.TRADING, accounts=["ALICE-1"]
            ),
            UserConfig(
                username="viewer", password="viewer-pw", role=Role.READ_ONLY, accounts=["123456"]
            ),
        ],
        accounts=[
            AccountConfig(
                account_id="ALICE-1",
                owner="alice",
                cash={"USD": Decimal(1_000_000)},
                positions={"IBM": Decimal(1000)},
            )
        ],
        stream=StreamConfig(buffer_size=10_000, queue_size=1_000),
    )
    base.update(overrides)
    return Settings(**base)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A running server: ``url`` (http), ``ws_url``, ``runtime`` (for invariant checks)."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.app = create_app(settings)
        self.runtime = self.app.state.runtime
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/api/v1/stream"
        cfg = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def client(self, user: str | None = None, password: str | None = None) -> httpx.Client:
        c = httpx.Client(base_url=self.url, timeout=10)
        if user is not None:
            c.headers["Authorization"] = f"Bearer {self.token(user, password)}"
        return c

    def token(self, user: str, password: str | None = None) -> str:
        pw = password or {"alice": "alice-pw", "viewer": "viewer-pw"}.get(user, user)
        r = httpx.post(
            f"{self.url}/api/v1/auth/token", json={"username": user, "password": pw}, timeout=10
        )
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    @contextmanager
    def stream(self, token: str, since: int | None = None, types: str | None = None):
        q = f"?token={token}"
        if since is not None:
            q += f"&since={since}"
        if types is not None:
            q += f"&types={types}"
        with connect(self.ws_url + q, open_timeout=5) as ws:
            welcome = json.loads(ws.recv(timeout=5))
            assert welcome["type"] == "welcome"
            yield ws

    def check_invariants(self) -> None:
        with self.runtime.read() as e:
            e.check_invariants()


@contextmanager
def running(settings: Settings) -> Iterator[LiveServer]:
    s = LiveServer(settings).start()
    try:
        yield s
        s.check_invariants()
    finally:
        s.stop()


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with running(api_settings()) as s:
        yield s


@pytest.fixture(scope="module")
def demo(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client("demo") as c:
        yield c


@pytest.fixture(scope="module")
def alice(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client("alice") as c:
        yield c


@pytest.fixture(scope="module")
def operator(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client("operator") as c:
        yield c


def recv_until(ws, pred, timeout: float = 5.0, limit: int = 10_000) -> list[dict]:
    """Messages received until one satisfies ``pred`` (included); fails on timeout."""
    out = []
    deadline = time.monotonic() + timeout
    for _ in range(limit):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; got {[m.get('type') for m in out]}"
        m = json.loads(ws.recv(timeout=left))
        out.append(m)
        if pred(m):
            return out
    raise AssertionError("no matching message")


def limit_order(account: str = "123456", symbol: str = "IBM", side: str = "Buy",
                qty: str = "10", price: str = "100.00", **kw) -> dict:  # fmt: skip
    return {"account": account, "symbol": symbol, "side": side, "ord_type": "Limit",
            "quantity": qty, "price": price, **kw}  # fmt: skip


def quote(client: httpx.Client, symbol: str, bid: str, ask: str, **kw) -> dict:
    r = client.post(f"/api/v1/marketdata/{symbol}/quotes", json={"bid": bid, "ask": ask, **kw})
    assert r.status_code == 200, r.text
    return r.json()


# -- a server in a child process, on a database --------------------------------------------
HERE = Path(__file__).resolve().parent
PASSWORDS = {"alice": "alice-pw", "viewer": "viewer-pw"}
_CHILD = (
    "import json, sys; sys.path.insert(0, sys.argv[1]); "
    "from server_fixtures import child_settings; from condor.api.serve import run; "
    "run(child_settings(json.loads(sys.argv[2])))"
)


def child_settings(overrides: dict) -> Settings:
    """``api_settings(**overrides)`` with the users' passwords as cheap argon2 hashes (a
    server process starts without hashing each password at full cost)."""
    from argon2 import PasswordHasher

    from condor.api.demo import demo_users

    if "users" not in overrides:
        cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        overrides["users"] = [
            u.model_copy(update={"password": None, "password_hash": cheap.hash(u.password)})
            for u in (*demo_users(), *api_settings().users)
        ]
    return api_settings(**overrides)


class ServerProcess:
    """``api_settings(database_url=url, **overrides)`` served by ``serve.run`` in a child
    process on a free port. ``start`` waits for ``/api/v1/health``; ``kill`` is SIGKILL."""

    def __init__(self, url: str, **overrides) -> None:
        self.port = free_port()
        self.overrides = {"database_url": url, "port": self.port, **overrides}
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._tokens: dict[str, str] = {}

    def spawn(self) -> subprocess.Popen:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(HERE), json.dumps(self.overrides, default=str)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        return self.proc

    def start(self, timeout: float = 30) -> ServerProcess:
        p = self.spawn()
        deadline = time.monotonic() + timeout
        while True:
            if p.poll() is not None:
                raise RuntimeError(f"server exited {p.returncode}: {p.stderr.read().decode()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("server did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=10)
            self.proc.stderr.close()

    def token(self, user: str) -> str:
        """A JWT (the secret is fixed, so it stays valid across restarts)."""
        if user not in self._tokens:
            r = httpx.post(
                f"{self.url}/api/v1/auth/token",
                json={"username": user, "password": PASSWORDS.get(user, user)}, timeout=10,
            )  # fmt: skip
            assert r.status_code == 200, r.text
            self._tokens[user] = r.json()["access_token"]
        return self._tokens[user]

    def client(self, user: str = "demo") -> httpx.Client:
        return httpx.Client(
            base_url=self.url, timeout=10, headers={"Authorization": f"Bearer {self.token(user)}"}
        )


@contextmanager
def server_process(url: str, **overrides) -> Iterator[ServerProcess]:
    s = ServerProcess(url, **overrides).start()
    try:
        yield s
    finally:
        s.kill()


PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"


@cache
def pg_user() -> str | None:
    """The first of postgres / root that can connect to 127.0.0.1:5432/test, else None."""
    import psycopg

    for user in ("postgres", "root"):
        try:
            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, connect_timeout=2
            ):
                return user
        except psycopg.OperationalError:
            continue
    return None


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL bound to a new PostgreSQL schema, dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = dict(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=pg_user(), autocommit=True)
    with psycopg.connect(**conninfo) as c:
        c.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield (
            f"postgresql+psycopg://{pg_user()}@{PG_HOST}:{PG_PORT}/{PG_DB}"
            f"?options=-csearch_path%3D{name}"
        )
    finally:
        with psycopg.connect(**conninfo) as c:
            c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND query LIKE %s",
                (PG_DB, f"%{name}%"),
            )
            c.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def journal_url(request, tmp_path) -> Iterator[str]:
    """A database of the test's own: a SQLite file in a data directory under ``tmp_path``
    (created on first start), or a PostgreSQL schema (skipped when the server is down)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/condor.db"
        return
    if pg_user() is None:
        pytest.skip(f"PostgreSQL unreachable at {PG_HOST}:{PG_PORT}/{PG_DB} (users postgres, root)")
    with pg_schema_url() as url:
        yield url


def engine_factory_for(url: str, **overrides):
    """``(store, build_engine)`` for checking a database a ``ServerProcess`` wrote."""
    from condor.api.bootstrap import engine_factory
    from condor.store.journal import Store

    store = Store.open(url, create=False)
    return store, engine_factory(api_settings(**overrides), store)


def cli(capsys, *args: str) -> tuple[int, str]:
    """``condor ARGS`` run in this process: (exit status, stdout + stderr)."""
    from condor.cli import main

    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out + out.err

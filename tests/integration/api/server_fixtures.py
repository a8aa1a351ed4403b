"""A real Condor server for integration tests: uvicorn on 127.0.0.1, a free port, in a
background thread, with real httpx and websockets clients (no mocks, no TestClient).

Import the fixtures into a test module (``from server_fixtures import server``); no conftest.
The test configuration is the demo one with the market fed only by the injection endpoints
(``feed="none"``), a simulated clock, and two extra users: ``alice`` (Trading on her own
account ``ALICE-1``) and ``viewer`` (ReadOnly on the demo accounts).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

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

"""Helpers for the Alor dialect tests: a real server with only the Alor dialect mounted, Alor
bodies of the seed and spec examples, and market-data injection through the native API.

Demo identities (condor.api.demo): refresh token ``demo-refresh`` (user ``demo``, portfolio
D39004, login P039004); ``alice`` (password ``alice-pw``, portfolio ALICE-1) from the
integration fixtures, for foreign orders.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import httpx
import pytest

from server_fixtures import LiveServer, api_settings, running

C = "/commandapi/warptrans/TRADE/v2/client/orders"
G = "/commandapi/api/orderGroups"
SBER = {"symbol": "SBER", "exchange": "MOEX", "instrumentGroup": "TQBR"}
USER = {"portfolio": "D39004"}


@contextmanager
def alor_server(**overrides) -> Iterator[LiveServer]:
    """A live server with the Alor dialect only (other dialects may be half-built)."""
    with running(api_settings(dialects=["alor"], **overrides)) as s:
        yield s


def access_token(s: LiveServer, refresh: str = "demo-refresh") -> str:
    r = httpx.post(f"{s.url}/refresh", params={"token": refresh}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["AccessToken"]


def client(s: LiveServer, refresh: str = "demo-refresh") -> httpx.Client:
    return httpx.Client(
        base_url=s.url, timeout=10,
        headers={"Authorization": f"Bearer {access_token(s, refresh)}"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """One Alor server per test module (import it with ``c``)."""
    with alor_server() as s:
        yield s


@pytest.fixture(scope="module")
def c(server: LiveServer) -> Iterator[httpx.Client]:
    """A client of ``server`` logged in as demo (refresh token ``demo-refresh``)."""
    with client(server) as cl:
        yield cl


def alice_client(s: LiveServer) -> httpx.Client:
    """Alice through the native login (she has no Alor refresh token); the JWT is the same."""
    return httpx.Client(
        base_url=s.url, timeout=10, headers={"Authorization": f"Bearer {s.token('alice')}"}
    )


def limit(price: str = "142.52", qty: int = 1, side: str = "buy", **kw) -> dict:
    """Section 2.11 limit order (price as a JSON number when sent with ``send``)."""
    return {"side": side, "quantity": qty, "price": Decimal(price), "instrument": SBER,
            "user": USER, "timeInForce": "oneday", **kw}  # fmt: skip


def stop(trigger: str = "135.00", qty: int = 1, side: str = "sell", condition="LessOrEqual",
         activate: bool = True, **kw) -> dict:  # fmt: skip
    """Section 2.11 inactive stop (with ``activate=False``)."""
    return {"side": side, "condition": condition, "triggerPrice": Decimal(trigger),
            "stopEndUnixTime": 0, "quantity": qty, "instrument": SBER, "user": USER,
            "protectingSeconds": 15, "activate": activate, **kw}  # fmt: skip


def dumps(body) -> bytes:
    """JSON with Decimals as numbers (as a real client sends 142.52)."""

    def enc(v):
        if isinstance(v, Decimal):
            return float(v)  # test-side only: the server parses numbers as Decimal
        raise TypeError(v)

    return json.dumps(body, default=enc).encode()


def send(c: httpx.Client, method: str, path: str, body=None, reqid: str | None = "auto",
         header: str = "X-REQID", **kw) -> httpx.Response:  # fmt: skip
    headers = {"Content-Type": "application/json"}
    if reqid is not None:
        headers[header] = f"D39004;{uuid.uuid4().hex}" if reqid == "auto" else reqid
    content = dumps(body) if body is not None else None
    return c.request(method, path, content=content, headers=headers, **kw)


def place(c: httpx.Client, kind: str, body: dict, **kw) -> str:
    r = send(c, "POST", f"{C}/actions/{kind}", body, **kw)
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "success"
    return r.json()["orderNumber"]


def member(order_id: str, type_: str) -> dict:
    return {"portfolio": "D39004", "exchange": "MOEX", "orderId": order_id, "type": type_}


def make_group(c: httpx.Client, members: list[dict], policy: str) -> str:
    r = send(c, "POST", G, {"orders": members, "executionPolicy": policy})
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "success"
    return r.json()["groupId"]


def order(c: httpx.Client, oid: str, stop_order: bool = False, fmt: str = "Simple") -> dict:
    what = "stoporders" if stop_order else "orders"
    r = c.get(f"/md/v2/Clients/MOEX/D39004/{what}/{oid}", params={"format": fmt})
    assert r.status_code == 200, r.text
    return r.json()


def trade(s: LiveServer, price: str, shares: str = "10", symbol: str = "SBER") -> None:
    """A trade print on the simulated venue (native injection, operator)."""
    r = httpx.post(
        f"{s.url}/api/v1/marketdata/{symbol}/trades",
        json={"price": price, "size": shares},
        headers={"Authorization": f"Bearer {s.token('operator')}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text


def state(s: LiveServer) -> tuple:
    """A fingerprint of the engine state that a refused request must not change: orders,
    groups, cash and positions (a rejection is itself recorded as an event, so the event and
    order counters are left out)."""
    with s.runtime.read() as e:
        return (
            tuple((o.order_id, o.status, o.qty, o.price, o.stop_price, o.cum_qty, o.groups)
                  for o in e.orders.values()),
            tuple((g.group_id, g.status, g.version, g.kind,
                   tuple((m.order_id, m.active) for m in g.members)) for g in e.groups),
            tuple((a.account_id, tuple(sorted(a.cash.items())),
                   tuple(sorted(a.held_cash.items())),
                   tuple((p.symbol, p.qty, p.held_long) for p in a.positions.values()))
                  for a in e.accounts.values()),
        )  # fmt: skip

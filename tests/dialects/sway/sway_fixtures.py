"""Helpers for the Sway dialect tests: a real server (only the ``sway`` dialect mounted) and a
logged-in DXtrade-style client (``Authorization: DXAPI <sessionToken>``), plus the section 3.9
examples as data. Import by module name (no conftest)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from server_fixtures import LiveServer, api_settings, quote, running

ACC = "default:ACC12345"
ACC_URL = "default%3AACC12345"
ORDERS = f"/accounts/{ACC_URL}/orders"

IF_THEN = {
    "contingencyType": "IF-THEN",
    "orders": [
        {"orderCode": "entry-1", "type": "LIMIT", "instrument": "EUR/USD", "quantity": 10000,
         "positionEffect": "OPEN", "side": "BUY", "limitPrice": 1.0850, "tif": "GTC"},
        {"orderCode": "sl-1", "type": "STOP", "instrument": "EUR/USD", "quantity": 0,
         "positionEffect": "CLOSE", "side": "SELL", "stopPrice": 1.0800, "tif": "GTC"},
        {"orderCode": "tp-1", "type": "LIMIT", "instrument": "EUR/USD", "quantity": 0,
         "positionEffect": "CLOSE", "side": "SELL", "limitPrice": 1.0950, "tif": "GTC"},
    ],
}  # fmt: skip
"""Section 3.9: IF-THEN entry with stop-loss and take-profit."""

MODIFY = {"orderCode": "entry-1", "instrument": "EUR/USD", "quantity": 10000,
          "positionEffect": "OPEN", "side": "BUY", "limitPrice": 1.0840, "tif": "GTC"}  # fmt: skip
"""Section 3.9: modify a limit price (no ``type``)."""


def if_then(suffix: str = "", **entry) -> dict:
    """The section 3.9 group with order codes suffixed (unique per test) and entry fields
    overridden."""
    body = copy.deepcopy(IF_THEN)
    for o in body["orders"]:
        o["orderCode"] += suffix
    body["orders"][0].update(entry)
    return body


def sway_server() -> LiveServer:
    return running(api_settings(dialects=["sway"]))


def login(server: LiveServer, user: str = "demo", password: str | None = None) -> httpx.Client:
    c = httpx.Client(base_url=server.url + "/dxsca-web", timeout=10)
    r = c.post("/login", json={"username": user, "domain": "default",
                               "password": password or user})  # fmt: skip
    assert r.status_code == 200, r.text
    c.headers["Authorization"] = f"DXAPI {r.json()['sessionToken']}"
    return c


@contextmanager
def clients(server: LiveServer) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """(Sway client of ``demo``, native client of ``operator`` for quotes)."""
    sway = login(server)
    try:
        with server.client("operator") as op:
            yield sway, op
    finally:
        sway.close()


def eurusd(op: httpx.Client, bid: str, ask: str) -> None:
    quote(op, "EUR/USD", bid, ask)


def state(server: LiveServer, account: str = ACC) -> tuple:
    """What a refused request must leave unchanged: the number of orders and groups, the
    account's live orders (id, status, qty, price, stop), its positions and cash. (A refused
    group may consume order ids: ``order_seq`` is not state a client sees.)"""
    with server.runtime.read() as e:
        a = e.accounts[account]
        live = sorted(
            (o.order_id, o.status.value, o.qty, o.price, o.stop_price)
            for o in e.live.values() if o.account == account
        )  # fmt: skip
        pos = sorted(
            (s, p.qty, p.held_long, p.held_short)
            for s, p in a.positions.items() if p.qty or p.held_long or p.held_short
        )  # fmt: skip
        cash = sorted(a.cash.items()), sorted((k, v) for k, v in a.held_cash.items() if v)
        return len(e.orders), len(e.groups), tuple(live), tuple(pos), cash


def by_code(client: httpx.Client, code: str, orders: str = ORDERS) -> dict:
    """The order with client id ``code`` from the history of ``orders`` (an orders URL)."""
    r = client.get(f"{orders}/history", params={"with-client-id": code})
    assert r.status_code == 200, r.text
    (o,) = r.json()["orders"]
    return o


def etag(client: httpx.Client, orders: str = ORDERS) -> str:
    r = client.get(orders)
    assert r.status_code == 200, r.text
    return r.headers["ETag"]


@pytest.fixture(scope="module")
def server():
    """A real server with the ``sway`` dialect, one per test module."""
    with sway_server() as s:
        yield s


@pytest.fixture(scope="module")
def cs(server):
    """(DXtrade client, operator client) with EUR/USD quoted 1.09000 / 1.09010."""
    with clients(server) as (sway, op):
        eurusd(op, "1.09000", "1.09010")
        yield sway, op
